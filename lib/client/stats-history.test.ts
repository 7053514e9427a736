import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SeriesDTO, StatsDTO } from "../contracts/http-replies";

const stats = (at: number, sent: number, received = sent): StatsDTO => ({
  sent,
  received,
  acked: received,
  lost: 0,
  inFlight: sent - received,
  failed: 0,
  perNode: {},
  latencyMs: { p50: 1, p95: 2, p99: 3 },
  latencyByKind: { "one-way": { p50: 1, p95: 2, p99: 3 }, "half-rtt": { p50: null, p95: null, p99: null } },
  reconciled: { ok: true, pairs: 0, nodes: 0, mismatches: [] },
  store: { ok: true, since: 0, lastError: null, waiting: 0 },
  at,
});

describe("stats history", () => {
  beforeEach(() => vi.resetModules());

  it("derives per-second rates from successive snapshots", async () => {
    const { pushStats, statsHistory } = await import("./stats-history");
    pushStats(stats(0, 0));
    pushStats(stats(500, 50));
    pushStats(stats(1000, 100, 80));
    const last = statsHistory.get().at(-1)!;
    expect(last.sentRate).toBeCloseTo(100);
    expect(last.receivedRate).toBeCloseTo(80);
    expect(last.p95).toBe(2);
  });

  it("starts over when the counters go backwards (another server): no rate across the gap", async () => {
    const { pushStats, statsHistory } = await import("./stats-history");
    pushStats(stats(0, 1000));
    pushStats(stats(500, 2000));
    pushStats(stats(1000, 10));
    expect(statsHistory.get().map((p) => p.t)).toEqual([0, 500]);
    pushStats(stats(1500, 60));
    expect(statsHistory.get().at(-1)).toMatchObject({ t: 1500, sentRate: 100 });
  });

  it("keeps a bounded number of points", async () => {
    const { MAX_POINTS, pushStats, statsHistory } = await import("./stats-history");
    for (let i = 0; i < MAX_POINTS + 50; i++) pushStats(stats(i * 500, i));
    expect(statsHistory.get()).toHaveLength(MAX_POINTS);
  });

  const series = (since: number, n: number, perS: number): SeriesDTO => ({
    since,
    until: since + n * 1000,
    bucketMs: 1000,
    points: Array.from({ length: n }, (_, k) => ({
      t: since + k * 1000, durationMs: 1000, sent: perS, received: perS, lost: 0, sentPerS: perS, receivedPerS: perS, lostPerS: 0,
      p50: 1, p95: 2, p99: 3, nodesUp: 2,
    })),
  });

  it("seeds the history from the stored series, one point per bucket at its end", async () => {
    const { seedHistory, statsHistory } = await import("./stats-history");
    seedHistory(series(10_000, 3, 40));
    expect(statsHistory.get().map((p) => [p.t, p.sentRate, p.nodesUp])).toEqual([
      [11_000, 40, 2],
      [12_000, 40, 2],
      [13_000, 40, 2],
    ]);
  });

  it("joins live snapshots to the series without a duplicate, a dip or a step back at the seam", async () => {
    const { pushStats, seedHistory, statsHistory } = await import("./stats-history");
    // Live snapshots that arrived before the series answered: those it covers are replaced.
    pushStats(stats(11_500, 100));
    pushStats(stats(12_000, 120));
    pushStats(stats(13_500, 160));
    seedHistory(series(10_000, 3, 40));
    expect(statsHistory.get().map((p) => p.t)).toEqual([11_000, 12_000, 13_000, 13_500]);
    pushStats(stats(13_200, 150)); // older than the last point: not appended
    pushStats(stats(14_000, 180));
    const ts = statsHistory.get().map((p) => p.t);
    expect(ts).toEqual([11_000, 12_000, 13_000, 13_500, 14_000]);
    expect(statsHistory.get().at(-1)!.sentRate).toBeGreaterThan(0);
  });

  it("adds no zero-rate point for the first snapshot after seeding", async () => {
    const { pushStats, seedHistory, statsHistory } = await import("./stats-history");
    seedHistory(series(10_000, 3, 40));
    pushStats(stats(13_500, 500));
    expect(statsHistory.get()).toHaveLength(3);
    pushStats(stats(14_000, 520));
    expect(statsHistory.get().at(-1)).toMatchObject({ t: 14_000, sentRate: 40 });
  });

  it("keeps at most MAX_POINTS after seeding, the newest", async () => {
    const { MAX_POINTS, seedHistory, statsHistory } = await import("./stats-history");
    seedHistory(series(0, MAX_POINTS + 10, 1));
    expect(statsHistory.get()).toHaveLength(MAX_POINTS);
    expect(statsHistory.get().at(-1)!.t).toBe((MAX_POINTS + 10) * 1000);
  });

  it("replaces what it had with a reseed (a reconnect, a restarted server)", async () => {
    const { seedHistory, statsHistory } = await import("./stats-history");
    seedHistory(series(0, 5, 10));
    seedHistory(series(2000, 5, 20));
    expect(statsHistory.get().map((p) => [p.t, p.sentRate])).toEqual([
      [3000, 20],
      [4000, 20],
      [5000, 20],
      [6000, 20],
      [7000, 20],
    ]);
  });
});
