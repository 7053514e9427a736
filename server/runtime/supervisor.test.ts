import { describe, expect, it } from "vitest";
import type { RuntimeKind } from "../../lib/contracts/common";
import { BridgeClient } from "../bridge/bridge-client";
import { ClusterModel } from "../cluster/model";
import type { Logger } from "../log";
import { FakeRuntime, fakeNodeName } from "../testing/fake-runtime";
import { RuntimeSupervisor } from "./supervisor";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Lets every settled promise continuation run (no timers involved). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(opts: { failKind?: RuntimeKind } = {}) {
  const created: FakeRuntime[] = [];
  let alive = 0;
  let maxAlive = 0;
  const model = new ClusterModel({ runtime: "local", deploymentId: "test", counts: () => ({ sent: 0, received: 0 }) });
  const supervisor = new RuntimeSupervisor({
    kind: "local",
    tickMs: 2000,
    createRuntime: async (kind) => {
      await settle(); // creating takes a while, as a real one does
      if (kind === opts.failKind) throw new Error(`no ${kind} here`);
      const rt = new FakeRuntime(kind);
      const close = rt.close.bind(rt);
      rt.close = async () => {
        alive--;
        await close();
      };
      created.push(rt);
      maxAlive = Math.max(maxAlive, ++alive);
      return rt;
    },
    createBridge: (rt) => new BridgeClient({ open: () => rt.openBridge(), discovery: () => rt.discovery(), log: quiet }),
    model,
    onFrame: () => {},
    log: quiet,
  });
  return { supervisor, model, created, maxAlive: () => maxAlive };
}

/** A started supervisor and its first (local) runtime. */
async function started() {
  const s = setup();
  await s.supervisor.start();
  return { ...s, rt: s.created[0]! };
}

describe("RuntimeSupervisor: switches", () => {
  it("two concurrent switches to the same runtime create it once", async () => {
    const { supervisor, created, maxAlive } = setup();
    await supervisor.start();
    await Promise.all([supervisor.switchTo("swarm"), supervisor.switchTo("swarm")]);
    expect(created.map((r) => r.kind)).toEqual(["local", "swarm"]);
    expect(created[0]!.closed).toBe(true);
    expect(created[1]!.closed).toBe(false);
    expect(supervisor.kind).toBe("swarm");
    expect(maxAlive()).toBe(1);
  });

  it("switches asked at once run one after the other: the last one wins, never two runtimes alive", async () => {
    const { supervisor, created, model, maxAlive } = setup();
    await supervisor.start();
    await Promise.all([supervisor.switchTo("swarm"), supervisor.switchTo("local"), supervisor.switchTo("swarm")]);
    expect(created.map((r) => r.kind)).toEqual(["local", "swarm", "local", "swarm"]);
    expect(created.filter((r) => !r.closed)).toEqual([created[3]]);
    expect(maxAlive()).toBe(1);
    expect(model.snapshot().runtime).toBe("swarm");
  });

  it("a retired runtime's listeners are removed: what it says afterwards does not reach the model", async () => {
    const { supervisor, created, model } = setup();
    await supervisor.start();
    const old = created[0]!;
    expect(old.listeners()).toBe(2);
    await supervisor.switchTo("swarm");
    expect(old.listeners()).toBe(0);
    old.emit("change", [{ id: "n1", slot: 1, state: "running", host: "h", restarts: 0, nodeName: fakeNodeName(1, "local") }]);
    expect(model.snapshot().nodes).toEqual([]);
  });

  it("a runtime that cannot start leaves the previous one in place, with a 500", async () => {
    const { supervisor, created, model } = setup({ failKind: "swarm" });
    await supervisor.start();
    await expect(supervisor.switchTo("swarm")).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/no swarm here/) });
    expect(supervisor.kind).toBe("local");
    expect(model.snapshot().runtime).toBe("local");
    expect(created.map((r) => [r.kind, r.closed])).toEqual([["local", true], ["local", false]]);
  });
});

describe("RuntimeSupervisor: scaling", () => {
  it("5 → 3 → 5 asked quickly ends at 5, and the deploy progress finishes", async () => {
    const { supervisor, model, rt } = await started();
    await supervisor.scale(5);
    await supervisor.scale(3);
    await supervisor.scale(5);
    expect(rt.scales).toEqual([5]); // 3 and 5 wait behind the running scale, merged into the last
    rt.release();
    await settle();
    expect(rt.scales).toEqual([5, 5]);
    rt.release();
    await supervisor.scaled();
    for (let slot = 1; slot <= 5; slot++) model.nodeUp(fakeNodeName(slot, "local"));
    const c = model.snapshot();
    expect(c.desiredReplicas).toBe(5);
    expect(c.nodes.filter((n) => n.status === "up")).toHaveLength(5);
    expect(c.progress).toMatchObject({ target: 5, done: true });
    expect(c.progress?.error).toBeUndefined();
  });

  it("every request runs when each scale finishes before the next is asked", async () => {
    const { supervisor, rt } = await started();
    for (const n of [2, 4, 1]) {
      await supervisor.scale(n);
      rt.release();
      await supervisor.scaled();
    }
    expect(rt.scales).toEqual([2, 4, 1]);
    expect(rt.list()).toHaveLength(1);
  });

  it("a failed scale fails the progress, unless a newer request already waits", async () => {
    const { supervisor, model, rt } = await started();
    await supervisor.scale(4);
    await supervisor.scale(2);
    rt.fail("no room"); // superseded by the waiting 2
    await settle();
    expect(model.snapshot().progress).toMatchObject({ target: 2, done: false });
    rt.fail("still no room");
    await supervisor.scaled();
    expect(model.snapshot().progress).toMatchObject({ target: 2, done: true, error: "still no room" });
  });

  it("a switch during a scale does not wait for it; the old scale's outcome is ignored, later scales go to the new runtime", async () => {
    const { supervisor, created, model, rt: local } = await started();
    await supervisor.scale(5);
    await supervisor.scale(2); // waiting behind the 5: dropped by the switch
    await supervisor.switchTo("swarm");
    expect(local.closed).toBe(true);
    const swarm = created[1]!;
    await supervisor.scale(3);
    expect(swarm.scales).toEqual([3]);
    local.fail("closed under it");
    await settle();
    expect(local.scales).toEqual([5]);
    expect(model.snapshot().progress).toMatchObject({ target: 3, done: false });
    expect(model.snapshot().progress?.error).toBeUndefined();
    swarm.release();
    await supervisor.scaled();
    expect(swarm.list()).toHaveLength(3);
  });

  it("scale with another runtime switches first, in the same turn", async () => {
    const { supervisor, created } = setup();
    await supervisor.start();
    await Promise.all([supervisor.scale(2, "swarm"), supervisor.switchTo("local")]);
    expect(created.map((r) => r.kind)).toEqual(["local", "swarm", "local"]);
    expect(created[1]!.scales).toEqual([2]);
    expect(created[2]!.scales).toEqual([]);
  });

  it("a runtime that is not ready answers 409 and nothing is asked of it", async () => {
    const { supervisor, created, model } = setup();
    await supervisor.start();
    created[0]!.currentStatus = { ready: false, problem: "no Docker engine" };
    await expect(supervisor.scale(3)).rejects.toMatchObject({ status: 409, message: "no Docker engine" });
    expect(created[0]!.scales).toEqual([]);
    expect(model.snapshot().progress).toBeNull();
  });
});
