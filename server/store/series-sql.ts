import type Database from "better-sqlite3";
import type { SeriesDTO } from "../../lib/contracts/http-replies";
import { histogramPercentiles } from "../books/series-agg";
import { eventRowToDTO, type EventRow } from "./rows";
import { type BucketCounts, NODE_EVENT_KINDS, replayNodesUp, type SeriesRequest, seriesPoints, seriesWindow } from "./series";

// The counting half of GET /api/series, in SQL (the pure half is series.ts), from the per-second
// aggregates the books write with every batch (series, series_lat): kept apart from the retained
// rows, so the sums stay equal to the counters whatever retention deleted.

/** Where the data starts: the first second with counts, or the first node to join. */
const SERIES_FIRST_SQL = `SELECT MIN(x) AS first FROM (
  SELECT MIN(sec) * 1000 AS x FROM series
  UNION ALL SELECT MIN(at) FROM events WHERE kind = 'nodeup')`;

/** Bucket k of a second: the one its start falls in (the last bucket runs to the window's end). */
const BUCKET = `MIN(@n - 1, CAST((sec * 1000 - @since) / @bucket AS INTEGER))`;

/** Reads the series of one database; statements prepared once. */
export class SeriesQuery {
  private readonly counts: Database.Statement;
  private readonly latency: Database.Statement;
  private readonly first: Database.Statement;

  constructor(private readonly db: Database.Database) {
    const inWindow = `sec * 1000 >= @since AND sec * 1000 < @until`;
    this.counts = db.prepare(`SELECT ${BUCKET} AS k, SUM(sent) AS sent, SUM(received) AS received, SUM(lost) AS lost FROM series WHERE ${inWindow} GROUP BY k`);
    this.latency = db.prepare(`SELECT ${BUCKET} AS k, bin, SUM(n) AS n FROM series_lat WHERE ${inWindow} GROUP BY k, bin ORDER BY k, bin`);
    this.first = db.prepare(SERIES_FIRST_SQL);
  }

  /**
   * Messages sent, received and lost per time bucket, latency percentiles of the messages
   * received in each, and nodes up at each bucket's end (see series.ts for the window and the
   * buckets). Counted in SQL over one row per second; `pause` runs once between the queries.
   */
  async read(req: SeriesRequest, now: number, pause: () => Promise<void>): Promise<SeriesDTO> {
    const { first } = this.first.get() as { first: number | null };
    const w = seriesWindow(req, now, first);
    if (w.count === 0) return { since: w.since, until: w.until, bucketMs: w.bucketMs, points: [] };
    const params = { since: w.since, until: w.until, bucket: w.bucketMs, n: w.count };
    const byK = new Map<number, BucketCounts>();
    for (const r of this.counts.all(params) as { k: number; sent: number; received: number; lost: number }[]) {
      byK.set(r.k, { k: r.k, sent: r.sent, received: r.received, lost: r.lost, p50: null, p95: null, p99: null });
    }
    await pause();
    const bins = new Map<number, [number, number][]>();
    for (const r of this.latency.all(params) as { k: number; bin: number; n: number }[]) {
      if (!bins.has(r.k)) bins.set(r.k, []);
      bins.get(r.k)!.push([r.bin, r.n]);
    }
    for (const [k, hist] of bins) {
      const c = byK.get(k) ?? { k, sent: 0, received: 0, lost: 0, p50: null, p95: null, p99: null };
      Object.assign(c, histogramPercentiles(hist));
      byK.set(k, c);
    }
    const nodesUp = replayNodesUp(this.nodeEvents(w.until), w);
    return { since: w.since, until: w.until, bucketMs: w.bucketMs, points: seriesPoints(w, [...byK.values()], nodesUp) };
  }

  private nodeEvents(until: number) {
    const kinds = NODE_EVENT_KINDS.map((k) => `'${k}'`).join(",");
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events WHERE kind IN (${kinds}) AND at < ? ORDER BY seq`).all(until) as EventRow[];
    return rows.map(eventRowToDTO);
  }
}
