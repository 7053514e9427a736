import type Database from "better-sqlite3";
import type { SeriesDTO } from "../../lib/contracts/http-replies";
import { eventRowToDTO, type EventRow } from "./rows";
import { type BucketCounts, NODE_EVENT_KINDS, replayNodesUp, type SeriesRequest, seriesPoints, seriesWindow } from "./series";

// The counting half of GET /api/series, in SQL (the pure half is series.ts).

// When a message counts for the series: sent when it left (a seed message, whose sender is not
// known, when it arrived), lost by when it was sent, received when it arrived. The statuses are
// the ones the counters count (recovery.ts), so the series adds up to the stats. The indexes of
// schema.ts are made for these expressions.
export const SENT_TIME = "COALESCE(sent_at, received_at, created_at)";
export const LOST_TIME = "COALESCE(sent_at, created_at)";
export const COUNTED_SENT = "status IN ('sent','received','acked','lost')";
export const COUNTED_LOST = "status = 'lost'";
export const COUNTED_RECEIVED = "status IN ('received','acked')";

/** Where the data starts: the oldest counted message, or the first node to join. */
const SERIES_FIRST_SQL = `SELECT MIN(x) AS first FROM (
  SELECT MIN(${SENT_TIME}) AS x FROM messages WHERE ${COUNTED_SENT}
  UNION ALL SELECT MIN(received_at) FROM messages WHERE ${COUNTED_RECEIVED}
  UNION ALL SELECT MIN(at) FROM events WHERE kind = 'nodeup')`;

interface SeriesRow {
  k: number;
  sent: number;
  lost: number;
  received: number;
  latency: string | null; // JSON [p50, p95, p99]
}

/**
 * lib/percentile.ts's nearest rank ceil(p/100 · n), at least 1, in SQL without ceil() (math
 * functions are optional in SQLite).
 */
const rankSql = (p: number, n: string) => `MAX(1, CAST(${p / 100} * ${n} AS INTEGER) + (${p / 100} * ${n} > CAST(${p / 100} * ${n} AS INTEGER)))`;

/**
 * One row per bucket k in [@k0, @k1) of the window (@since, @bucket, @n buckets, the last ending
 * at @until): its counts, and the nearest-rank latency percentiles of the messages received in it.
 * percentile_disc(Y, f) takes the value at index floor((n-1)·f), so f is chosen per bucket to land
 * on the nearest rank (as percentileDiscFraction does); "sorted" numbers the sorted rows to find it.
 */
export function seriesSql(percentiles: "percentile_disc" | "sorted"): string {
  const received = `FROM messages WHERE received_at >= c.lo AND received_at < c.hi AND ${COUNTED_RECEIVED}`;
  const pick = (p: number) =>
    percentiles === "percentile_disc"
      ? `percentile_disc(latency_ms, MIN(1.0, (${rankSql(p, "c.timed")} - 0.5) / MAX(1, c.timed - 1)))`
      : `(SELECT v FROM (SELECT latency_ms AS v, ROW_NUMBER() OVER (ORDER BY latency_ms) AS r ${received} AND latency_ms IS NOT NULL) WHERE r = ${rankSql(p, "c.timed")})`;
  const latency =
    percentiles === "percentile_disc"
      ? `(SELECT json_array(${pick(50)}, ${pick(95)}, ${pick(99)}) ${received})`
      : `json_array(${pick(50)}, ${pick(95)}, ${pick(99)})`;
  return `WITH RECURSIVE b(k, lo, hi) AS (
      SELECT @k0, @since + @k0 * @bucket, CASE WHEN @k0 + 1 >= @n THEN @until ELSE @since + (@k0 + 1) * @bucket END
      UNION ALL
      SELECT k + 1, hi, CASE WHEN k + 2 >= @n THEN @until ELSE @since + (k + 2) * @bucket END FROM b WHERE k + 1 < @k1
    ), c AS MATERIALIZED (
      SELECT k, lo, hi,
        (SELECT COUNT(*) FROM messages WHERE ${SENT_TIME} >= b.lo AND ${SENT_TIME} < b.hi AND ${COUNTED_SENT}) AS sent,
        (SELECT COUNT(*) FROM messages WHERE ${LOST_TIME} >= b.lo AND ${LOST_TIME} < b.hi AND ${COUNTED_LOST}) AS lost,
        (SELECT COUNT(*) FROM messages WHERE received_at >= b.lo AND received_at < b.hi AND ${COUNTED_RECEIVED}) AS received,
        (SELECT COUNT(latency_ms) FROM messages WHERE received_at >= b.lo AND received_at < b.hi AND ${COUNTED_RECEIVED}) AS timed
      FROM b
    )
    SELECT k, sent, lost, received, CASE WHEN timed > 0 THEN ${latency} END AS latency FROM c ORDER BY k`;
}

/** True when SQLite says a function (percentile_disc) is not compiled in. */
export function isMissingFunction(err: unknown): boolean {
  return /no such function/i.test((err as Error).message);
}

/** Reads the series of one database; the bucket statement is prepared once. */
export class SeriesQuery {
  private bucketsStmt?: Database.Statement;

  constructor(private readonly db: Database.Database) {}

  /**
   * Messages sent, received and lost per time bucket, latency percentiles of the messages received
   * in each, and nodes up at each bucket's end (see series.ts for the window and the buckets).
   * Counted in SQL, one row per bucket: each count is an index range scan (a GROUP BY over the
   * whole window re-reads every row and sorts it, several times slower on a million rows). Buckets
   * are read in slices sized to take about `sliceMs` each, with `pause` between them, so a big
   * window does not hold the event loop.
   */
  async read(req: SeriesRequest, now: number, pause: () => Promise<void>, sliceMs: number): Promise<SeriesDTO> {
    const { first } = this.db.prepare(SERIES_FIRST_SQL).get() as { first: number | null };
    const w = seriesWindow(req, now, first);
    const counts: BucketCounts[] = [];
    let slice = 4;
    for (let k0 = 0; k0 < w.count; ) {
      const k1 = Math.min(w.count, k0 + slice);
      const started = performance.now();
      const rows = this.buckets().all({ since: w.since, until: w.until, bucket: w.bucketMs, n: w.count, k0, k1 }) as SeriesRow[];
      slice = Math.min(200, Math.max(1, Math.floor(((k1 - k0) * sliceMs) / Math.max(1, performance.now() - started))));
      k0 = k1;
      if (k0 < w.count) await pause();
      for (const r of rows) counts.push(bucketCounts(r));
    }
    const nodesUp = replayNodesUp(this.nodeEvents(w.until), w);
    return { since: w.since, until: w.until, bucketMs: w.bucketMs, points: seriesPoints(w, counts, nodesUp) };
  }

  private nodeEvents(until: number) {
    const kinds = NODE_EVENT_KINDS.map((k) => `'${k}'`).join(",");
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events WHERE kind IN (${kinds}) AND at < ? ORDER BY seq`).all(until) as EventRow[];
    return rows.map(eventRowToDTO);
  }

  /** percentile_disc() when this SQLite has it (better-sqlite3's does), else sorted lookups. */
  private buckets(): Database.Statement {
    if (this.bucketsStmt) return this.bucketsStmt;
    try {
      this.bucketsStmt = this.db.prepare(seriesSql("percentile_disc"));
    } catch (err) {
      if (!isMissingFunction(err)) throw err;
      this.bucketsStmt = this.db.prepare(seriesSql("sorted"));
    }
    return this.bucketsStmt;
  }
}

function bucketCounts(r: SeriesRow): BucketCounts {
  const [p50, p95, p99] = r.latency ? (JSON.parse(r.latency) as (number | null)[]) : [];
  return { k: r.k, sent: r.sent, received: r.received, lost: r.lost, p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}
