import { describe, expect, it } from "vitest";
import { chartWindow } from "./chart-window";
import type { StatsPoint } from "./stats-history";

const point = (t: number): StatsPoint => ({ t, sentRate: t, receivedRate: t, lostRate: 0, p50: null, p95: null, p99: null, nodesUp: 1 });
const series = (n: number, every = 500) => Array.from({ length: n }, (_, i) => point(i * every));

describe("chart window", () => {
  it("keeps only the window before the newest point", () => {
    const w = chartWindow(series(100), 10_000);
    expect(w.end).toBe(99 * 500);
    expect(w.start).toBe(99 * 500 - 10_000);
    expect(w.points).toHaveLength(21);
  });

  it("thins a long history to at most max points, newest kept, evenly spaced", () => {
    const all = series(600);
    const w = chartWindow(all, 10 * 60_000, 300);
    expect(w.points.length).toBeLessThanOrEqual(300);
    expect(w.points.length).toBeGreaterThan(290);
    expect(w.points[w.points.length - 1]).toBe(all[599]);
    const gaps = new Set(w.points.slice(1).map((p, i) => p.t - w.points[i]!.t));
    expect([...gaps]).toEqual([1000]);
  });

  it("returns an empty window for no points and the same array contents for few", () => {
    expect(chartWindow([], 1000)).toEqual({ points: [], start: 0, end: 0 });
    const few = series(3);
    expect(chartWindow(few, 60_000).points).toEqual(few);
  });
});
