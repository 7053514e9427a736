import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import type { Logger } from "../log";
import { SwarmStack } from "./swarm-stack";

// The overlay network's rules, against a fake engine: created not attachable (encrypted when
// asked); an attachable one left by an older stack is used with one warning; a network of that
// name that is not an overlay is refused.

interface FakeNet {
  Id: string;
  Name: string;
  Driver: string;
  Attachable: boolean;
  Options?: Record<string, string>;
  IPAM?: { Config: { Subnet: string }[] };
}

/** `driverAtFirst`: what a created network inspects as at first ("" : no driver yet), the real one 700 ms later. */
function setup(existing: FakeNet | null, encrypted = false, driverAtFirst?: string) {
  const nets: FakeNet[] = existing ? [existing] : [];
  const created: Record<string, unknown>[] = [];
  const warnings: string[] = [];
  const docker = {
    listNetworks: async () => nets,
    getNetwork: (id: string) => ({ inspect: async () => nets.find((n) => n.Id === id) }),
    createNetwork: async (o: Record<string, unknown>) => {
      created.push(o);
      const net: FakeNet = { Id: "new", Name: String(o.Name), Driver: driverAtFirst ?? String(o.Driver), Attachable: Boolean(o.Attachable), Options: o.Options as Record<string, string> };
      nets.push(net);
      if (driverAtFirst !== undefined) setTimeout(() => (net.Driver = String(o.Driver)), 700);
    },
  } as unknown as Dockerode;
  const log: Logger = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
  const stack = new SwarmStack({ docker, stack: "st", deploymentId: "d1", cookie: "C", tickMs: 2000, log, progress: () => {}, encrypted });
  return { stack, created, warnings };
}

describe("SwarmStack.ensureNetwork", () => {
  it("creates the overlay not attachable, encrypted when asked", async () => {
    for (const encrypted of [false, true]) {
      const { stack, created } = setup(null, encrypted);
      expect(await stack.ensureNetwork()).toEqual({ id: "new", subnet: null });
      expect(created).toEqual([expect.objectContaining({ Name: "st_net", Driver: "overlay", Attachable: false })]);
      expect("Options" in created[0]!).toBe(encrypted);
    }
  });

  it("uses an attachable overlay of an older stack, warning once", async () => {
    const old = { Id: "o1", Name: "st_net", Driver: "overlay", Attachable: true, IPAM: { Config: [{ Subnet: "10.0.9.0/24" }] } };
    const { stack, created, warnings } = setup(old);
    expect(await stack.ensureNetwork()).toEqual({ id: "o1", subnet: "10.0.9.0/24" });
    await stack.ensureNetwork();
    expect(created).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/st_net is attachable .*docker stack rm st/);
  });

  it("waits for a network Docker is still removing (no driver yet) to go, then creates the overlay", async () => {
    const going: FakeNet = { Id: "g1", Name: "st_net", Driver: "", Attachable: false };
    const { stack, created } = setup(going);
    setTimeout(() => going.Name = "removed", 700); // gone from the list after a while
    expect(await stack.ensureNetwork()).toEqual({ id: "new", subnet: null });
    expect(created).toEqual([expect.objectContaining({ Name: "st_net", Driver: "overlay" })]);
  });

  it("waits for the overlay it just created to inspect with its driver", async () => {
    const { stack, created } = setup(null, false, "");
    expect(await stack.ensureNetwork()).toEqual({ id: "new", subnet: null });
    expect(created).toHaveLength(1);
  });

  it("a closed overlay gets no warning; a network of that name that is no overlay is refused", async () => {
    const closed = setup({ Id: "c1", Name: "st_net", Driver: "overlay", Attachable: false });
    await closed.stack.ensureNetwork();
    expect(closed.warnings).toEqual([]);
    const bridge = setup({ Id: "b1", Name: "st_net", Driver: "bridge", Attachable: false });
    await expect(bridge.stack.ensureNetwork()).rejects.toThrow(/not an overlay network \(driver bridge\)/);
  });
});
