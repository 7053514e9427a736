// Nearest-rank percentiles, the one rule every latency figure in Swarmscope uses: the p-th
// percentile of n values is the value at rank ceil(p/100 · n) (1-based, at least 1) in ascending
// order, so it is always a value that was measured. Shared by the server, the tests and the
// browser; the SQL form of the same rule is rankSql in server/store/series-sql.ts.

/** The 1-based nearest rank of the p-th percentile among n values: ceil(p/100 · n), from 1 to n. */
export function nearestRank(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
}

/** The p-th nearest-rank percentile of values sorted ascending; null when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  return sorted.length === 0 ? null : sorted[nearestRank(p, sorted.length) - 1]!;
}
