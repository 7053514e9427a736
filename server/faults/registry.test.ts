import { describe, expect, it } from "vitest";
import { faultBody } from "../../lib/contracts/fault-requests";
import type { FaultApplier } from "./applier";
import { FaultRegistry } from "./registry";

const N = ["n1@h", "n2@h", "n3@h", "n4@h"];

function setup() {
  let now = 1000;
  const up = new Set(N);
  const calls: string[] = [];
  const judged: { reason: string; picks: string[] }[] = [];
  const events: string[] = [];
  const slotHolder = new Map<string, string>(); // on Swarm, "n2" names the node up in slot 2: after a kill, the replacement
  const applier: FaultApplier = {
    how: (k) => `how ${k}`,
    kill: async (n) => void calls.push(`kill ${n}`),
    freeze: async (n, on) => void calls.push(`${on ? "freeze" : "thaw"} ${n}`),
    partition: async (a, b, cut) => void calls.push(`${cut ? "cut" : "heal"} ${a.join(",")}|${b.join(",")}`),
    shape: async (n, d, j, l) => void calls.push(`shape ${n} ${d} ${j} ${l}`),
    clear: async (n) => void calls.push(`clear ${n}`),
  };
  const reg = new FaultRegistry({
    dir: {
      resolve: (n) => slotHolder.get(n) ?? (N.includes(n) ? n : N.includes(`${n}@h`) ? `${n}@h` : null),
      isUp: (n) => up.has(n), upNodes: () => [...up], short: (n) => n.split("@")[0]!,
    },
    applier,
    judge: (which, reason) => {
      const picks = N.flatMap((a) => N.filter((b) => a !== b && which(a, b)).map((b) => `${a}>${b}`));
      judged.push({ reason, picks });
      return picks.length;
    },
    record: (t) => void events.push(t),
    remesh: () => void calls.push("remesh"),
    now: () => now,
  });
  const links = (node: string, ls: string[]) => reg.onFrame({ t: "links", node, links: ls });
  const mesh = () => N.forEach((n) => links(n, N.filter((x) => x !== n && up.has(x))));
  mesh();
  return { reg, calls, judged, events, up, slotHolder, links, mesh, tick: (ms: number) => (now += ms) };
}

const body = (b: unknown) => faultBody.parse(b);

describe("fault registry", () => {
  it("freeze: detected when the node goes down, verdicts node_frozen after a grace, thaw restores", async () => {
    const t = setup();
    const f = await t.reg.inject(body({ kind: "freeze", nodes: ["n2"] }));
    expect(t.calls).toEqual(["freeze n2@h"]);
    expect(t.reg.downReason("n2@h")).toBe("node_frozen");
    t.reg.sweep();
    expect(t.judged).toEqual([]); // within the grace
    t.tick(400);
    t.reg.sweep();
    expect(t.judged[0]).toEqual({ reason: "node_frozen", picks: ["n1@h>n2@h", "n3@h>n2@h", "n4@h>n2@h"] });
    t.tick(1700);
    t.up.delete("n2@h");
    t.reg.onFrame({ t: "nodedown", node: "n2@h", reason: "net_tick_timeout" });
    for (const n of ["n1@h", "n3@h", "n4@h"]) t.links(n, N.filter((x) => x !== n && x !== "n2@h")); // its peers lost it too
    expect(t.reg.list()[0]).toMatchObject({ id: f.id, detectionMs: 2100, status: "active" });
    await t.reg.heal(f.id);
    expect(t.calls.at(-1)).toBe("thaw n2@h");
    t.tick(150);
    t.up.add("n2@h");
    t.reg.onFrame({ t: "nodeup", node: "n2@h" });
    t.links("n2@h", ["n1@h", "n3@h", "n4@h"]); // its own view; the others do not list it yet
    t.tick(2500);
    t.reg.sweep();
    expect(t.calls).toContain("remesh"); // not meshed: the nodes are told their peers again
    t.mesh();
    t.reg.sweep();
    expect(t.reg.list()[0]!.restoreMs).toBeNull(); // must hold a second first
    t.tick(1000);
    t.reg.sweep();
    expect(t.reg.list()[0]).toMatchObject({ status: "healed", restoreMs: 2650 });
    expect(t.reg.downReason("n2@h")).toBeNull();
    expect(t.reg.cutReason("n1@h", "n2@h", 1500)).toBe("node_frozen");
    expect(t.reg.cutReason("n1@h", "n3@h", 1500)).toBeNull();
    expect(t.reg.cutReason("n1@h", "n2@h", t.tick(0) + 4000)).toBe("node_frozen"); // a peer's tick can end a link after the thaw
    expect(t.reg.cutReason("n1@h", "n2@h", t.tick(0) + 4000, 0)).toBeNull(); // but only through that slack
    expect(t.reg.cutReason("n1@h", "n2@h", t.tick(0) + 6000)).toBeNull();
  });

  it("partition: both groups, detected when no link crosses, verdicts only across the cut", async () => {
    const t = setup();
    const f = await t.reg.inject(body({ kind: "partition", nodes: ["n1", "n2"] }));
    expect(f.groups).toEqual([["n1@h", "n2@h"], ["n3@h", "n4@h"]]);
    expect(t.calls).toEqual(["cut n1@h,n2@h|n3@h,n4@h"]);
    t.tick(5);
    t.links("n1@h", ["n2@h"]);
    t.links("n2@h", ["n1@h"]);
    expect(t.reg.list()[0]!.detectedAt).toBeNull(); // n3, n4 still show links across
    t.links("n3@h", ["n4@h"]);
    t.links("n4@h", ["n3@h"]);
    expect(t.reg.list()[0]!.detectionMs).toBe(5);
    t.tick(400);
    t.reg.sweep();
    expect(t.judged[0]!.reason).toBe("partition");
    expect(t.judged[0]!.picks.sort()).toEqual(["n1@h>n3@h", "n1@h>n4@h", "n2@h>n3@h", "n2@h>n4@h", "n3@h>n1@h", "n3@h>n2@h", "n4@h>n1@h", "n4@h>n2@h"]);
    await t.reg.heal(f.id);
    t.tick(30);
    t.mesh();
    t.tick(1000);
    t.reg.sweep();
    expect(t.reg.list()[0]).toMatchObject({ status: "healed", restoreMs: 30 });
  });

  it("refuses what clashes or names what does not exist, and changes nothing", async () => {
    const t = setup();
    await expect(t.reg.inject(body({ kind: "freeze", nodes: ["n9"] }))).rejects.toThrow(/unknown node n9/);
    await expect(t.reg.inject(body({ kind: "partition", groups: [["n1"], ["n1", "n2"]] }))).rejects.toThrow(/both groups: n1/);
    await expect(t.reg.inject(body({ kind: "partition", nodes: N }))).rejects.toThrow(/other group would be empty/);
    t.up.delete("n4@h");
    await expect(t.reg.inject(body({ kind: "kill", nodes: ["n4"] }))).rejects.toMatchObject({ status: 409 });
    await t.reg.inject(body({ kind: "delay", nodes: ["n1"], delayMs: 50 }));
    await expect(t.reg.inject(body({ kind: "loss", nodes: ["n1"], lossPct: 5 }))).rejects.toMatchObject({ status: 409 });
    expect(t.calls).toEqual(["shape n1@h 50 0 0"]);
    expect(t.reg.list()).toHaveLength(1);
  });

  it("delay is detected once in force, cleared by heal; heal-all ends every fault", async () => {
    const t = setup();
    await t.reg.inject(body({ kind: "loss", nodes: ["n3"], lossPct: 10 }));
    await t.reg.inject(body({ kind: "freeze", nodes: ["n1"] }));
    expect(t.reg.list()[1]).toMatchObject({ kind: "loss", detectionMs: 0, lossPct: 10 });
    const healed = await t.reg.healAll();
    expect(healed.map((f) => f.status)).toEqual(["healed", "healed"]);
    expect(t.calls).toEqual(["shape n3@h 0 0 10", "freeze n1@h", "clear n3@h", "thaw n1@h"]);
    expect(t.reg.active()).toEqual([]);
  });

  it("kill: ended once the node is back and linked", async () => {
    const t = setup();
    const f = await t.reg.inject(body({ kind: "kill", nodes: ["n2"] }));
    t.tick(40);
    t.up.delete("n2@h");
    t.reg.onFrame({ t: "nodedown", node: "n2@h", reason: "connection_closed" });
    t.tick(1400);
    t.up.add("n2@h");
    t.mesh();
    t.tick(1000);
    t.reg.sweep();
    expect(t.reg.list()[0]).toMatchObject({ id: f.id, status: "ended", detectionMs: 40, restoreMs: 1400 });
  });

  it("kill on Swarm: ended once the replacement task's node (same slot, a new name) is up and linked", async () => {
    const t = setup();
    const f = await t.reg.inject(body({ kind: "kill", nodes: ["n2"] }));
    t.tick(250);
    t.up.delete("n2@h");
    t.reg.onFrame({ t: "nodedown", node: "n2@h", reason: "connection_closed" });
    t.tick(2000);
    t.reg.sweep();
    expect(t.reg.list()[0]).toMatchObject({ status: "active", restoreMs: null });
    t.slotHolder.set("n2", "n2@h2");
    t.up.add("n2@h2");
    t.reg.onFrame({ t: "nodeup", node: "n2@h2" }); // back, not yet meshed: no new gap is the kill's
    t.tick(100);
    expect(t.reg.cutReason("n1@h", "n2@h", t.tick(0), 0)).toBeNull();
    expect(t.reg.list()[0]!.restoreMs).toBeNull();
    const others = ["n1@h", "n3@h", "n4@h"];
    for (const n of others) t.links(n, [...others.filter((x) => x !== n), "n2@h2"]);
    t.links("n2@h2", others);
    t.tick(1000);
    t.reg.sweep();
    expect(t.reg.list()[0]).toMatchObject({ id: f.id, status: "ended", detectionMs: 250, restoreMs: 2100 });
    expect(t.reg.cutReason("n1@h", "n2@h", 1500, 0)).toBe("connection lost"); // a gap from while it was down
  });
});

describe("fault body", () => {
  const bad = (b: unknown) => faultBody.safeParse(b).error?.issues.map((i) => i.message).join("; ");
  it("says what is wrong", () => {
    expect(bad({ kind: "loss", nodes: ["a"], lossPct: 101 })).toMatch(/lossPct must be at most 100/);
    expect(bad({ kind: "partition", groups: [["a"], []] })).toMatch(/must not be empty/);
    expect(bad({ kind: "partition" })).toMatch(/partition needs groups/);
    expect(bad({ kind: "delay", nodes: ["a"] })).toMatch(/delay needs delayMs/);
    expect(bad({ kind: "freeze" })).toMatch(/freeze needs nodes/);
    expect(bad({ kind: "melt", nodes: ["a"] })).toMatch(/kind must be one of/);
    expect(bad({ kind: "kill", nodes: ["a"], lossPct: 3 })).toMatch(/lossPct belongs/);
  });
});
