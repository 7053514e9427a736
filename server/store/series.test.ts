import { describe, expect, it } from "vitest";
import type { ClusterEventDTO } from "../../lib/contracts/http-replies";
import { A, B, recvRun, report, sentRun } from "../books/test-frames";
import { bucketEnd, bucketStart, replayNodesUp, seriesPoints, seriesWindow, type SeriesWindow } from "./series";
import { booksOnStore } from "./test-books";

const MIN = 60_000;

describe("seriesWindow", () => {
  it("defaults to the last 10 minutes, starting no earlier than the data, on a whole second", () => {
    const now = 1_000_000_000;
    expect(seriesWindow({}, now, now - 90_500)).toEqual({ since: now - 91_000, until: now, bucketMs: 1000, count: 91 });
    expect(seriesWindow({}, now, now - 60 * MIN)).toMatchObject({ since: now - 10 * MIN, until: now, bucketMs: 1000, count: 600 });
    expect(seriesWindow({ points: 100 }, now, now - 60 * MIN)).toMatchObject({ bucketMs: 6000, count: 100 });
  });

  it("has no buckets when there is no data and no range", () => {
    expect(seriesWindow({}, 5000, null).count).toBe(0);
    expect(seriesWindow({ since: 0 }, 5000, null).count).toBe(0);
  });

  it("`until` alone: the 10 minutes before it; `since` alone (even 0): from the data on, to now", () => {
    const now = 1_000_000_000;
    expect(seriesWindow({ until: now - MIN }, now, now - 60 * MIN)).toMatchObject({ since: now - 11 * MIN, until: now - MIN, count: 600 });
    expect(seriesWindow({ since: 0 }, now, now - 2 * MIN)).toMatchObject({ since: now - 2 * MIN, until: now, bucketMs: 1000, count: 120 });
    // Found by the API fuzz: `until` within 10 minutes of the epoch started before it (a negative time).
    expect(seriesWindow({ until: 0 }, now, null)).toMatchObject({ since: 0, until: 0, count: 0 });
    expect(seriesWindow({ until: 5000 }, now, null)).toMatchObject({ since: 0, until: 5000, count: 5 });
  });

  it("uses whole-second buckets, at least one second, never more than `points` of them", () => {
    for (const [span, points] of [[1, 1000], [999, 5], [10_000, 1000], [3_600_000, 1000], [86_400_000, 7], [123_456_789, 999]] as const) {
      const w = seriesWindow({ since: 0, until: span, points }, span, 0);
      expect(w.bucketMs % 1000).toBe(0);
      expect(w.bucketMs).toBeGreaterThanOrEqual(1000);
      expect(w.count).toBeGreaterThanOrEqual(1);
      expect(w.count).toBeLessThanOrEqual(points);
      // Buckets tile the window; the last is between one and two buckets long.
      expect(bucketStart(w, 0)).toBe(0);
      expect(bucketEnd(w, w.count - 1)).toBe(span);
      for (let k = 1; k < w.count; k++) expect(bucketStart(w, k)).toBe(bucketEnd(w, k - 1));
      const last = bucketEnd(w, w.count - 1) - bucketStart(w, w.count - 1);
      if (span >= w.bucketMs) expect(last).toBeGreaterThanOrEqual(w.bucketMs);
      expect(last).toBeLessThan(2 * w.bucketMs);
    }
  });

  it("caps points at 1000", () => {
    expect(seriesWindow({ since: 0, until: 3_600_000, points: 5000 }, 0, null).count).toBeLessThanOrEqual(1000);
  });
});

describe("replayNodesUp", () => {
  const w: SeriesWindow = { since: 1000, until: 5000, bucketMs: 1000, count: 4 };
  const ev = (at: number, kind: string, node?: string, text = `${kind} ${node ?? ""}`): ClusterEventDTO => ({ at, kind, text, ...(node ? { node } : {}) });

  it("counts the nodes up at the end of each bucket, from events before the window too", () => {
    const events = [
      ev(100, "nodeup", "a"), // before the window
      ev(1500, "nodeup", "b"),
      ev(1600, "nodeup", "b"), // seen twice: still one node
      ev(2000, "nodeup", "c"), // exactly at a bucket's end: counts in the next
      ev(3200, "nodedown", "a"),
      ev(3300, "nodedown", "zz"), // never up
      ev(4999, "nodeup", "a"),
    ];
    expect(replayNodesUp(events, w)).toEqual([2, 3, 2, 3]);
  });

  it("forgets every node when the bridge is not up (e.g. a restart after a crash)", () => {
    const events = [
      ev(100, "nodeup", "a"),
      ev(200, "nodeup", "b"),
      ev(1500, "bridge", undefined, "bridge up"),
      ev(2500, "bridge", undefined, "bridge starting"),
      ev(3500, "bridge", undefined, "bridge up"),
      ev(3600, "nodeup", "b"),
    ];
    expect(replayNodesUp(events, w)).toEqual([2, 0, 1, 1]);
  });

  it("replays by time, keeping the stored order for ties", () => {
    expect(replayNodesUp([ev(1500, "nodedown", "a"), ev(1200, "nodeup", "a"), ev(1500, "nodeup", "a")], w)).toEqual([1, 1, 1, 1]);
  });
});

describe("seriesPoints", () => {
  it("gives every bucket a point, with rates over the bucket's own length", () => {
    const w: SeriesWindow = { since: 0, until: 3500, bucketMs: 1000, count: 3 };
    const pts = seriesPoints(w, [{ k: 2, sent: 5, received: 3, lost: 1, p50: 1, p95: 2, p99: 3 }], [1, 2, 2]);
    expect(pts.map((p) => [p.t, p.durationMs, p.sentPerS, p.nodesUp])).toEqual([
      [0, 1000, 0, 1],
      [1000, 1000, 0, 2],
      [2000, 1500, 5 / 1.5, 2],
    ]);
    expect(pts[2]).toMatchObject({ sent: 5, received: 3, lost: 1, receivedPerS: 2, p95: 2 });
    expect(pts[0]).toMatchObject({ p50: null, p95: null, p99: null });
  });
});

/** Bulk traffic over 60 s: A → B in reports every 100 ms, with a gap, a late tail judged lost, and seeds. */
function history(x: ReturnType<typeof booksOnStore>) {
  const { books, clock } = x;
  let ra = 0;
  let rb = 0;
  for (let k = 0; k < 600; k++) {
    const t0 = clock.t * 1000;
    books.onReport(report(A, 1, ++ra, { sent: [sentRun(B, k * 10 + 1, 10, t0)] }));
    if (k % 50 !== 7 && k < 590) books.onReport(report(B, 2, ++rb, { recv: [recvRun(A, 1, k * 10 + 1, 10, t0 + 1000 * (k % 4))] }));
    if (k % 100 === 0) books.onReport(report(B, 2, ++rb, { seed: 2 }));
    clock.t += 100;
    if (k % 10 === 0) books.sweep();
    if (k % 50 === 0) x.store.flush();
  }
  clock.t += 2000;
  books.sweep();
  x.store.flush();
  clock.t += 1; // "now" inside the second of the last verdicts, as a real clock almost always is
}

describe("Store.series from the per-second aggregates", () => {
  it("adds up to the counters, bucket by bucket, with latencies, and keeps adding up after retention", async () => {
    const x = booksOnStore({ retention: 1000 });
    try {
      x.store.saveEvents([{ at: x.clock.t - 500, kind: "nodeup", node: A, text: "n1 joined" }]);
      history(x);
      const st = x.books.stats();
      expect(st).toMatchObject({ sent: 6012, inFlight: 0 });
      expect(st.lost).toBeGreaterThan(100);
      const check = async () => {
        const s = await x.store.series({ points: 50 }, x.clock.t);
        const sum = (f: (p: (typeof s.points)[number]) => number) => s.points.reduce((a, p) => a + f(p), 0);
        expect(sum((p) => p.sent)).toBe(st.sent);
        expect(sum((p) => p.received)).toBe(st.received);
        expect(sum((p) => p.lost)).toBe(st.lost);
        expect(s.points.every((p) => p.sent >= 0 && p.lost >= 0)).toBe(true);
        expect(s.bucketMs).toBe(2000);
        return s;
      };
      const s = await check();
      expect(s.since % 1000).toBe(0);
      const timed = s.points.filter((p) => p.received > 0);
      expect(timed.length).toBeGreaterThan(20);
      for (const p of timed) expect(p.p50).toBeCloseTo(0.1, 2); // every latency is 100 µs (histogram bins: ±2.2 %)
      expect(x.store.enforceRetention()).toBeGreaterThan(0);
      await check(); // retention deleted runs, not the aggregates
    } finally {
      x.close();
    }
  });

  it("`until` alone is the 10 minutes before it; `since=0` starts at the data", async () => {
    const x = booksOnStore();
    try {
      history(x);
      const first = (await x.store.series({ since: 0 }, x.clock.t)).since;
      expect(first).toBeGreaterThan(x.clock.t - 120_000);
      const until = Math.floor((x.clock.t - 30_000) / 1000) * 1000;
      const w = await x.store.series({ until }, x.clock.t);
      expect([w.since, w.until]).toEqual([until - 600_000, until]);
      expect(w.points.length).toBe(600);
      expect(w.points.reduce((a, p) => a + p.sent, 0)).toBeGreaterThan(0);
    } finally {
      x.close();
    }
  });

  it("answers an empty series for an empty store", async () => {
    const x = booksOnStore();
    try {
      expect(await x.store.series({}, 1000)).toEqual({ since: 1000, until: 1000, bucketMs: 1000, points: [] });
      expect((await x.store.series({ since: 0 }, 5000)).points).toEqual([]);
    } finally {
      x.close();
    }
  });
});
