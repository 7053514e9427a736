import { describe, expect, it } from "vitest";
import type { Replica } from "../runtime/types";
import { DeployProgress } from "./deploy-progress";

const replica = (slot: number, state: string): Replica => ({ id: `n${slot}`, slot, state, host: "h", restarts: 0, nodeName: `n${slot}@h` });

describe("DeployProgress", () => {
  it("starting replicas → waiting for Erlang nodes → done, with the time it took", () => {
    const d = new DeployProgress();
    d.start(2, 1000);
    const two = [replica(1, "running"), replica(2, "running")];
    expect(d.update(two, () => false, 1500)).toBeNull();
    expect(d.current).toMatchObject({ phase: "waiting for Erlang nodes", replicasRunning: 2, nodesUp: 0, done: false });
    expect(d.update(two, () => true, 3500)).toBe("all 2 nodes up in 2.50 s");
    expect(d.current).toMatchObject({ phase: "done", done: true, finishedAt: 3500 });
    expect(d.going).toBe(false);
    expect(d.setPhase("building image")).toBe(false);
  });

  it("a removal is done once no replica is left; a failure ends it with its error", () => {
    const d = new DeployProgress();
    expect(d.fail("nothing to fail", 0)).toBe(false);
    d.start(0, 0);
    expect(d.current?.phase).toBe("removing replicas");
    expect(d.update([replica(1, "running")], () => true, 10)).toBeNull();
    expect(d.update([], () => true, 20)).toBe("removed all replicas in 0.02 s");
    d.start(3, 100);
    expect(d.setPhase("building image")).toBe(true);
    expect(d.fail("no space left", 200)).toBe(true);
    expect(d.current).toMatchObject({ done: true, error: "no space left", finishedAt: 200, phase: "building image" });
  });
});
