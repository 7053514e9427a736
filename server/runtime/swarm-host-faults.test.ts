import { describe, expect, it } from "vitest";
import { HostFaults } from "./swarm-host-faults";
import type { Member } from "./swarm-hosts";
import type { AgentOp } from "./swarm-relay";

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function setup(initial: Member[], failOn?: string) {
  let members = initial;
  const calls: Array<{ host: string } & AgentOp> = [];
  const faults = new HostFaults({
    call: async (host, op) => {
      calls.push({ host, ...op });
      if (op.container === failOn) throw new Error(`agent: ${op.container} refused`);
      return null;
    },
    members: async () => members,
    hostname: (h) => `host-${h}`,
    log: quiet,
    now: () => 1000,
  });
  return { faults, calls, setMembers: (m: Member[]) => (members = m) };
}

const m = (host: string, container: string, ip: string): Member => ({ host, container, ip });

describe("HostFaults", () => {
  it("cuts both sides through each side's agent, heals exactly what it cut", async () => {
    const { faults, calls } = setup([m("A", "a1", "10.0.0.1"), m("B", "b1", "10.0.0.2"), m("A", "bridge", "10.0.0.9")]);
    expect(await faults.partition("B")).toBe(1000);
    expect(faults.partitioned()).toEqual(new Map([["B", 1000]]));
    expect(calls.splice(0)).toEqual([
      { host: "B", op: "block", container: "b1", ips: ["10.0.0.1", "10.0.0.9"] },
      { host: "A", op: "block", container: "a1", ips: ["10.0.0.2"] },
      { host: "A", op: "block", container: "bridge", ips: ["10.0.0.2"] },
    ]);
    await faults.partition("B"); // again: nothing missing, nothing done
    expect(calls.splice(0)).toEqual([]);
    await faults.heal("B");
    expect(calls.map((c) => `${c.op} ${c.container}`).sort()).toEqual(["unblock a1", "unblock b1", "unblock bridge"]);
    expect(faults.partitioned().size).toBe(0);
    await expect(faults.heal("B")).rejects.toThrow(/host-B is not partitioned/);
  });

  it("cuts a replacement task that starts while the cut is on", async () => {
    const { faults, calls, setMembers } = setup([m("A", "a1", "10.0.0.1"), m("B", "b1", "10.0.0.2")]);
    await faults.partition("B");
    calls.splice(0);
    setMembers([m("A", "a1", "10.0.0.1"), m("B", "b2", "10.0.0.3")]);
    await faults.refresh();
    expect(calls).toEqual([
      { host: "B", op: "block", container: "b2", ips: ["10.0.0.1"] },
      { host: "A", op: "block", container: "a1", ips: ["10.0.0.3"] },
    ]);
  });

  it("refuses a cut with nothing on one side, and reports agents that failed", async () => {
    const { faults } = setup([m("A", "a1", "10.0.0.1")]);
    await expect(faults.partition("A")).rejects.toThrow(/nothing to cut host-A off from/);
    await expect(faults.partition("B")).rejects.toThrow(/host-B has no running replica/);
    const failing = setup([m("A", "a1", "10.0.0.1"), m("B", "b1", "10.0.0.2")], "a1");
    await expect(failing.faults.partition("B")).rejects.toThrow(/cutting 1 of 2 containers failed: agent: a1 refused/);
    // what did work is remembered, so that a heal undoes it
    await failing.faults.heal("B");
    expect(failing.calls.filter((c) => c.op === "unblock").map((c) => c.container)).toEqual(["b1"]);
  });
});
