import type { SeriesDeltas } from "./series-agg";
import { type Varints, decodeVarints, forEachRunTime, forEachVarint } from "./varint";

// A run's messages at their own times (µs on the node's clock): into the per-second series, and
// their one-way latencies. A run within one second needs no decoding: its deltas are read only
// when it spans seconds.

export interface TimedRun {
  first: number;
  last: number;
  /** The n - 1 deltas between consecutive times (null: no detail, or not needed). */
  deltas: Varints | null;
  n: number;
}

/** The run's first and last times fall in one second. */
export function withinOneSecond(first: number, last: number): boolean {
  return Math.floor(first / 1e6) === Math.floor(last / 1e6);
}

/** Adds messages k = fromK .. n-1 of a run to the series at their own times (decoded only when the run spans seconds). */
export function attributeRun(series: SeriesDeltas, field: "sent" | "received", run: TimedRun, fromK: number): void {
  const { first, last, deltas, n } = run;
  if (withinOneSecond(first, last) || deltas === null) {
    series.add((fromK === 0 ? first : last) / 1000, field, n - fromK);
    return;
  }
  forEachRunTime(first, deltas, n, (t, k) => {
    if (k >= fromK) series.add(t / 1000, field, 1);
  });
}

/** Calls `fn(t1, us)` with the reception time and one-way latency of messages k ≥ fromK (same host: one clock). */
export function forEachOneWay(run: TimedRun, lat: Varints, fromK: number, fn: (t1: number, us: number) => void): void {
  const { first, last, deltas, n } = run;
  const gaps = deltas && !withinOneSecond(first, last) ? decodeVarints(deltas, n - 1) : null;
  let t1 = first;
  forEachVarint(lat, (us, i) => {
    if (gaps && i > 0) t1 += gaps[i - 1] ?? 0;
    if (i >= fromK) fn(t1, us);
  }, n);
}

/** The last of the first `n` varints (null when there is none). */
export function lastVarint(bytes: Varints, n: number): number | null {
  let last: number | null = null;
  forEachVarint(bytes, (v) => (last = v), n);
  return last;
}
