import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MessageStatus } from "../../lib/contracts/common";
import type { ClusterEventDTO } from "../../lib/contracts/http-replies";
import type { TrackedMessage } from "../messages/tracker";
import { bucketEnd, bucketStart, replayNodesUp, seriesPoints, seriesWindow, type SeriesWindow } from "./series";
import { seriesSql } from "./series-sql";
import { Store } from "./store";

const MIN = 60_000;

describe("seriesWindow", () => {
  it("defaults to the last 10 minutes, starting no earlier than the data", () => {
    const now = 1_000_000_000;
    expect(seriesWindow({}, now, now - 90_500)).toEqual({ since: now - 90_500, until: now, bucketMs: 1000, count: 90 });
    expect(seriesWindow({}, now, now - 60 * MIN)).toMatchObject({ since: now - 10 * MIN, until: now, bucketMs: 1000, count: 600 });
    expect(seriesWindow({ points: 100 }, now, now - 60 * MIN)).toMatchObject({ bucketMs: 6000, count: 100 });
  });

  it("has no buckets when there is no data and no range", () => {
    expect(seriesWindow({}, 5000, null).count).toBe(0);
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

function tm(id: string, status: MessageStatus, over: Partial<TrackedMessage> = {}): TrackedMessage {
  return {
    id, from: "n1-d@h", to: "n2-d@h", content: id, status,
    sentAt: null, receivedAt: null, ackedAt: null, latencyMs: null, reason: null, seed: false, createdAt: 0,
    counted: { sent: false, received: false, acked: false, lost: false },
    ...over,
  };
}

/** Nearest rank, as the live latency window computes it. */
const rank = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;

describe("Store.series", () => {
  let dir: string;
  let file: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-series-"));
    file = path.join(dir, "s.db");
    store = new Store(file, 1_000_000);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A pseudo-random history over [t0, t0 + 60 s) with every kind of message. */
  function history(t0: number): TrackedMessage[] {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ms: TrackedMessage[] = [];
    for (let i = 0; i < 3000; i++) {
      const sentAt = t0 + rnd() * 60_000;
      const lat = Math.round(rnd() * 5000) / 1000;
      const r = rnd();
      if (r < 0.7) ms.push(tm(`a${i}`, r < 0.5 ? "acked" : "received", { sentAt, receivedAt: sentAt + lat, latencyMs: lat, createdAt: sentAt + 1 }));
      else if (r < 0.75) ms.push(tm(`h${i}`, "acked", { sentAt, receivedAt: sentAt + lat, ackedAt: sentAt + 2 * lat, createdAt: sentAt + 1 })); // no latency
      else if (r < 0.8) ms.push(tm(`l${i}`, "lost", { sentAt, reason: "timeout", createdAt: sentAt + 1 }));
      else if (r < 0.85) ms.push(tm(`s${i}`, "sent", { sentAt, createdAt: sentAt + 1 }));
      else if (r < 0.9) ms.push(tm(`p${i}`, "pending", { createdAt: sentAt }));
      else if (r < 0.95) ms.push(tm(`f${i}`, "failed", { reason: "sender down", createdAt: sentAt }));
      else ms.push(tm(`seed-${i}`, "received", { seed: true, receivedAt: sentAt, createdAt: sentAt }));
    }
    return ms;
  }

  it("adds up to the counters, bucket by bucket, with nearest-rank latencies", async () => {
    const t0 = 1_700_000_000_000;
    const ms = history(t0);
    store.saveMessages(ms);
    store.saveEvents([{ at: t0 - 500, kind: "nodeup", node: "n1-d@h", text: "n1 joined" }, { at: t0 + 30_000, kind: "nodeup", node: "n2-d@h", text: "n2 joined" }]);
    const totals = store.recover().totals; // also turns "sent" into "lost", as after a restart

    let pauses = 0;
    const s = await store.series({ points: 50 }, t0 + 70_000, async () => void pauses++, 0);
    expect(s.since).toBe(t0 - 500); // the first node event
    expect(s.bucketMs).toBe(2000);
    expect(s.points).toHaveLength(35);
    expect(pauses).toBe(31); // 35 buckets: 4, then one at a time (no time allowed per slice)
    const sum = (f: (p: (typeof s.points)[number]) => number) => s.points.reduce((a, p) => a + f(p), 0);
    expect(sum((p) => p.sent)).toBe(totals.sent);
    expect(sum((p) => p.received)).toBe(totals.received);
    expect(sum((p) => p.lost)).toBe(totals.lost);
    expect(sum((p) => (p.sentPerS * p.durationMs) / 1000)).toBeCloseTo(totals.sent, 6);

    // Each bucket against a count made here from the same rows.
    const stored = store.listMessages(10_000);
    for (const p of s.points) {
      const inB = (t: number | null) => t !== null && t >= p.t && t < p.t + p.durationMs;
      const rec = stored.filter((m) => (m.status === "received" || m.status === "acked") && inB(m.receivedAt));
      const lats = rec.flatMap((m) => (m.latencyMs === null ? [] : [m.latencyMs])).sort((a, b) => a - b);
      expect(p.sent).toBe(stored.filter((m) => ["sent", "received", "acked", "lost"].includes(m.status) && inB(m.sentAt ?? m.receivedAt)).length);
      expect(p.lost).toBe(stored.filter((m) => m.status === "lost" && inB(m.sentAt)).length);
      expect(p.received).toBe(rec.length);
      expect([p.p50, p.p95, p.p99]).toEqual(lats.length ? [rank(lats, 50), rank(lats, 95), rank(lats, 99)] : [null, null, null]);
      expect(p.nodesUp).toBe(p.t + p.durationMs <= t0 + 30_000 ? 1 : 2);
    }

    // Without percentile_disc(): the sorted fallback gives the same answers.
    const db = new Database(file, { readonly: true });
    try {
      const params = { since: s.since, until: s.until, bucket: s.bucketMs, n: s.points.length, k0: 0, k1: s.points.length };
      expect(db.prepare(seriesSql("sorted")).all(params)).toEqual(db.prepare(seriesSql("percentile_disc")).all(params));
    } finally {
      db.close();
    }
  });

  it("counts only the range asked for", async () => {
    const t0 = 1_700_000_000_000;
    store.saveMessages([
      tm("a", "acked", { sentAt: t0 + 100, receivedAt: t0 + 101, latencyMs: 1, createdAt: t0 + 100 }),
      tm("b", "acked", { sentAt: t0 + 5000, receivedAt: t0 + 5002, latencyMs: 2, createdAt: t0 + 5000 }),
    ]);
    const s = await store.series({ since: t0 + 1000, until: t0 + 6000 }, t0 + 10_000);
    expect(s.points.map((p) => p.sent)).toEqual([0, 0, 0, 0, 1]);
    expect(s.points[4]).toMatchObject({ received: 1, p50: 2, p99: 2 });
    expect((await store.series({}, t0 + 10_000)).points.reduce((a, p) => a + p.sent, 0)).toBe(2);
  });

  it("answers an empty series for an empty store", async () => {
    expect(await store.series({}, 1000)).toEqual({ since: 1000, until: 1000, bucketMs: 1000, points: [] });
  });
});
