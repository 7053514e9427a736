import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MessageTracker, type TrackedMessage } from "../messages/tracker";
import { latencySummary } from "./export-reader";
import { Store } from "./store";
import { tm } from "./test-messages";

describe("latencySummary", () => {
  it("picks nearest-rank percentiles and the max from an ascending stream", () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1); // 1..200
    expect(latencySummary(200, values[Symbol.iterator]())).toEqual({ count: 200, p50: 100, p95: 190, p99: 198, max: 200 });
    expect(latencySummary(1, [7][Symbol.iterator]())).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(latencySummary(0, [][Symbol.iterator]())).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});

describe("Store.openExport", () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-export-"));
    store = new Store(path.join(dir, "s.db"), 1_000_000);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("counts, groups and summarises in SQL, within the range", async () => {
    const ms: TrackedMessage[] = [];
    for (let i = 1; i <= 100; i++) ms.push(tm(`r${i}`, i % 2 ? "acked" : "received", { receivedAt: 1000 + i, latencyMs: i, latencyKind: "one-way", createdAt: 1000 + i }));
    ms.push(tm("l1", "lost", { reason: "receiver down (connection_closed)", createdAt: 2000 }));
    ms.push(tm("l2", "lost", { reason: "receiver down (connection_closed)", createdAt: 2001 }));
    ms.push(tm("l3", "lost", { reason: "timeout: not received within 5000 ms", createdAt: 2002 }));
    ms.push(tm("f1", "failed", { reason: "sender could not send: not_connected", sentAt: null, createdAt: 2003 }));
    ms.push(tm("s1", "sent", { createdAt: 2004 }));
    ms.push(tm("seed-1", "received", { from: "stranger@h", seed: true, sentAt: null, receivedAt: 3000, createdAt: 3000, content: "hi" }));
    store.saveMessages(ms);
    store.saveEvents([
      { at: 500, kind: "nodeup", node: "n1-d@h", text: "n1 joined" },
      { at: 2500, kind: "nodedown", node: "n2-d@h", text: "n2 down (connection_closed)" },
    ]);

    const r = store.openExport();
    try {
      let pauses = 0;
      const { groups, withLatency } = await r.groups(async () => void pauses++, 10);
      expect(pauses).toBe(10); // 106 rows in slices of 10
      expect(withLatency).toEqual({ "one-way": 100, "half-rtt": 0, unknown: 0 });
      const counts = Object.fromEntries(groups.map((c) => [`${c.from}>${c.to} ${c.status}${c.seed ? "+seed" : ""}`, [c.n, c.first, c.last]]));
      expect(counts).toEqual({
        "n1-d@h>n2-d@h acked": [50, 1001, 1099],
        "n1-d@h>n2-d@h received": [50, 1002, 1100],
        "n1-d@h>n2-d@h lost": [3, 2000, 2002],
        "n1-d@h>n2-d@h failed": [1, 2003, 2003],
        "n1-d@h>n2-d@h sent": [1, 2004, 2004],
        "stranger@h>n2-d@h received+seed": [1, 3000, 3000],
      });
      expect(r.latency()).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
      const lost = r.reasons("lost");
      expect(lost.map((g) => [g.reason, g.n])).toEqual([
        ["receiver down (connection_closed)", 2],
        ["timeout: not received within 5000 ms", 1],
      ]);
      expect(lost[0]!.examples.map((e) => e.id)).toEqual(["l1", "l2"]);
      expect(r.reasons("failed")[0]).toMatchObject({ reason: "sender could not send: not_connected", n: 1 });
      expect(r.seedReceptions()).toEqual([{ from: "stranger@h", to: "n2-d@h", n: 1, first: 3000, last: 3000, example: "hi" }]);
      expect(r.events().map((e) => e.kind)).toEqual(["nodeup", "nodedown"]);
      expect([...r.iterateMessages()]).toHaveLength(106);
    } finally {
      r.close();
    }

    const ranged = store.openExport({ since: 1050, until: 2001 });
    try {
      expect([...ranged.iterateMessages()].map((m) => m.id)).toEqual([...Array.from({ length: 51 }, (_, i) => `r${i + 50}`), "l1", "l2"]);
      expect([...ranged.iterateEvents()].map((e) => e.kind)).toEqual([]);
      expect((await ranged.groups()).groups.reduce((a, g) => a + g.n, 0)).toBe(53);
    } finally {
      ranged.close();
    }
  });

  it("tells one-way from half-round-trip latencies as the tracker computed them", async () => {
    // The real tracker, with nodes on two hosts, fed random microsecond times.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let now = 1_700_000_000_000;
    const host = (n: string) => n.split("@")[1]!;
    const tracker = new MessageTracker({ lossTimeoutMs: 5000, clock: { now: () => now }, sameClock: (a, b) => host(a) === host(b) });
    const names = ["n1-d@h1", "n2-d@h1", "n3-d@h2"];
    for (let i = 0; i < 2000; i++) {
      const from = names[i % 3]!;
      const to = names[(i + 1 + (i % 2)) % 3]!;
      if (from === to) continue;
      const t0 = Math.floor(now * 1000 + rand() * 1e6);
      const t1 = t0 + Math.floor(rand() * 5000) - (host(from) === host(to) ? 0 : 2000); // skewed clocks across hosts
      const t2 = t0 + 20 + Math.floor(rand() * 9000); // a round trip takes tens of µs at least
      const id = `k${i}`;
      tracker.onEvent(from, { e: "sent", id, to, t: t0, content: "x" });
      tracker.onEvent(to, { e: "received", id, from, t0, t: t1, content: "x", seed: false });
      if (i % 5) tracker.onEvent(from, { e: "acked", id, to, t: t2, t1 });
      now += 1;
    }
    const tracked = tracker.drainForStore();
    store.saveMessages(tracked);
    const want = new Map(tracked.map((m) => [m.id, m.latencyKind ?? null]));
    const r = store.openExport();
    let oneWay = 0;
    let half = 0;
    for (const m of r.iterateMessages()) {
      expect(m.latencyKind ?? null, m.id).toBe(want.get(m.id));
      if (m.latencyKind === "one-way") oneWay++;
      if (m.latencyKind === "half-rtt") half++;
    }
    expect(oneWay).toBeGreaterThan(100);
    expect(half).toBeGreaterThan(100);
    const { withLatency } = await r.groups();
    expect(withLatency).toEqual({ "one-way": oneWay, "half-rtt": half, unknown: 0 });
    expect(r.latency("one-way").count).toBe(oneWay);
    expect(r.latency("half-rtt").count).toBe(half);
    r.close();
  });

  it("gives nearest-rank percentiles from SQL, the same as over a sorted array", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let k = 0;
    for (const n of [1, 2, 3, 7, 10, 99, 100, 101, 1000, 4567]) {
      const values = Array.from({ length: n }, () => Math.round(rand() * 1e6) / 1000);
      const ids = values.map(() => `p${k++}`);
      const s2 = new Store(path.join(dir, `p${n}.db`), 1_000_000);
      s2.saveMessages(values.map((v, i) => tm(ids[i]!, i % 3 ? "acked" : "received", { latencyMs: v, receivedAt: 1 })));
      s2.saveMessages([tm(`x${n}`, "lost", { latencyMs: null }), tm(`y${n}`, "sent")]);
      const sorted = [...values].sort((a, b) => a - b);
      const want = latencySummary(n, sorted[Symbol.iterator]());
      const r = s2.openExport();
      expect(r.latency(), `n=${n}`).toEqual(want);
      expect(r.latency(undefined, n), `n=${n}, count known`).toEqual(want);
      r.close();
      s2.close();
    }
  });

  it("reads one snapshot while the writer goes on, and never blocks it", async () => {
    store.saveMessages(Array.from({ length: 1000 }, (_, i) => tm(`a${i}`, "sent", { createdAt: i })));
    const r = store.openExport();
    const it = r.iterateMessages();
    expect(it.next().value?.id).toBe("a0");
    // The dashboard keeps writing while an export streams.
    store.saveMessages([tm("a1", "acked", { createdAt: 1 }), tm("b0", "sent", { createdAt: 5000 })]);
    store.saveEvents([{ at: 1, kind: "x", text: "y" }]);
    const rest = [...it];
    expect(rest).toHaveLength(999);
    expect(rest[0]).toMatchObject({ id: "a1", status: "sent" }); // as of the snapshot
    expect((await r.groups()).groups).toMatchObject([{ status: "sent", n: 1000 }]);
    r.close();
    const after = store.openExport();
    expect((await after.groups()).groups.reduce((a, g) => a + g.n, 0)).toBe(1001);
    after.close();
  });

  it("releases a cursor abandoned half way", async () => {
    store.saveMessages(Array.from({ length: 10 }, (_, i) => tm(`c${i}`, "sent")));
    const r = store.openExport();
    const it = r.iterateMessages();
    it.next();
    it.return?.();
    expect((await r.groups()).groups).toHaveLength(1); // the connection is usable again
    r.close();
    r.close(); // twice is harmless
  });
});
