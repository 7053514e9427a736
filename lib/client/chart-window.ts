import type { StatsPoint } from "./stats-history";

/** At most this many points go to a chart: recharts' cost grows with them. */
export const CHART_POINTS = 300;

export interface ChartWindow {
  points: StatsPoint[];
  start: number;
  end: number;
}

/**
 * The points of the last `windowMs` before the newest one, thinned to at most `max` (every k-th,
 * always keeping the newest), so a chart gets a fixed-size array whatever the history holds.
 */
export function chartWindow(all: readonly StatsPoint[], windowMs: number, max = CHART_POINTS): ChartWindow {
  const last = all[all.length - 1];
  if (!last) return { points: [], start: 0, end: 0 };
  const end = last.t;
  let i = all.length - 1;
  while (i > 0 && all[i - 1]!.t >= end - windowMs) i--;
  const shown = all.slice(i);
  const start = shown[0]!.t;
  if (shown.length <= max) return { points: shown, start, end };
  const step = Math.ceil(shown.length / max);
  const points: StatsPoint[] = [];
  // Counted back from the newest, so the newest point is always in and the spacing is even.
  for (let j = shown.length - 1; j >= 0; j -= step) points.push(shown[j]!);
  points.reverse();
  return { points, start: points[0]!.t, end };
}
