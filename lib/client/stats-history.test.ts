import { beforeEach, describe, expect, it, vi } from "vitest";
import type { StatsDTO } from "../types";

const stats = (at: number, sent: number, received = sent): StatsDTO => ({
  sent,
  received,
  acked: received,
  lost: 0,
  inFlight: sent - received,
  failed: 0,
  perNode: {},
  latencyMs: { p50: 1, p95: 2, p99: 3 },
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

  it("starts over when the counters go backwards (server restart)", async () => {
    const { pushStats, statsHistory } = await import("./stats-history");
    pushStats(stats(0, 1000));
    pushStats(stats(500, 2000));
    pushStats(stats(1000, 10));
    expect(statsHistory.get().at(-1)!.sentRate).toBe(0);
  });

  it("keeps a bounded number of points", async () => {
    const { MAX_POINTS, pushStats, statsHistory } = await import("./stats-history");
    for (let i = 0; i < MAX_POINTS + 50; i++) pushStats(stats(i * 500, i));
    expect(statsHistory.get()).toHaveLength(MAX_POINTS);
  });
});
