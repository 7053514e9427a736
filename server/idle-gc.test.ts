import { describe, expect, it } from "vitest";
import { fullCollection, idleCompactor } from "./idle-gc";

const MiB = 2 ** 20;

function rig() {
  const s = { activity: 0, heap: 50 * MiB, t: 0, collections: 0 };
  const check = idleCompactor({
    activity: () => s.activity,
    quietMs: 5000,
    growthBytes: 32 * MiB,
    collect: () => {
      s.collections++;
      s.heap = 55 * MiB; // what is alive
    },
    heapUsed: () => s.heap,
    now: () => s.t,
  });
  return { s, check };
}

describe("idle compaction", () => {
  it("collects once the traffic stopped for quietMs and the heap grew past the threshold, then not again", () => {
    const { s, check } = rig();
    for (let i = 0; i < 10; i++) {
      s.t += 1000;
      s.activity += 100_000;
      s.heap += 10 * MiB;
      expect(check(), "never while messages flow").toBe(false);
    }
    s.t += 4000;
    expect(check(), "quiet for 4 s").toBe(false);
    s.t += 1000;
    expect(check(), "quiet for 5 s, 100 MiB more").toBe(true);
    expect(s.collections).toBe(1);
    s.t += 60_000;
    expect(check(), "nothing grew since").toBe(false);
    expect(s.collections).toBe(1);
  });

  it("leaves a heap that grew little alone, however long the quiet", () => {
    const { s, check } = rig();
    s.activity = 10;
    s.t += 1000;
    check();
    s.heap += 20 * MiB;
    s.t += 600_000;
    expect(check()).toBe(false);
    expect(s.collections).toBe(0);
  });

  it("V8's collection is there without --expose-gc, and frees what nothing holds", () => {
    const gc = fullCollection();
    expect(gc).toBeTypeOf("function");
    let junk: object[] | null = Array.from({ length: 300_000 }, (_, i) => ({ i, s: `x${i}` }));
    const withJunk = process.memoryUsage().heapUsed;
    expect(junk.length).toBe(300_000);
    junk = null;
    gc!();
    expect(process.memoryUsage().heapUsed).toBeLessThan(withJunk - 10 * MiB);
  });
});
