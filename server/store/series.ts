import type { SeriesQuery } from "../../lib/contracts/http-requests";
import { MAX_SERIES_POINTS } from "../../lib/contracts/common";
import type { ClusterEventDTO, SeriesPointDTO } from "../../lib/contracts/http-replies";

// The pure parts of GET /api/series: choosing the buckets, replaying node events into "nodes up",
// and turning per-bucket counts into points. The counting itself is SQL (Store.series).

export const DEFAULT_SERIES_SPAN_MS = 10 * 60 * 1000;
export const DEFAULT_SERIES_POINTS = 600;
const MIN_BUCKET_MS = 1000;

/** Buckets [since + k·bucketMs, since + (k+1)·bucketMs) for k < count; the last one runs to `until`. */
export interface SeriesWindow {
  since: number;
  until: number;
  bucketMs: number;
  count: number;
}

/** GET /api/series's query. */
export type SeriesRequest = SeriesQuery;

/**
 * The window asked for: `since` and `until` (ms) as given; `until` alone: the 10 minutes before
 * it; `since` alone: from then to now; neither: the last 10 minutes. It never starts before the
 * data does (`first`: the first second with counts, or the first node to join; null: no data),
 * so `since=0` starts at the data, and it starts on a whole second, as the stored seconds do.
 * Buckets are whole seconds, at least one, sized so that there are at most `points` of them; the
 * remainder goes to the last bucket (between one and two buckets long), so no bucket is a sliver
 * with a meaningless rate.
 */
export function seriesWindow(req: SeriesRequest, now: number, first: number | null): SeriesWindow {
  const points = Math.max(1, Math.min(MAX_SERIES_POINTS, Math.floor(req.points ?? DEFAULT_SERIES_POINTS)));
  const until = req.until ?? Math.max(now, req.since ?? now);
  let since = req.since ?? Math.max(0, until - DEFAULT_SERIES_SPAN_MS); // never before the epoch (until=0)
  if (req.since === undefined && req.until === undefined) since = Math.max(since, first ?? until);
  else if (req.since !== undefined) since = Math.max(since, first ?? until);
  if (since >= until) return { since: until, until, bucketMs: MIN_BUCKET_MS, count: 0 };
  since = Math.floor(since / MIN_BUCKET_MS) * MIN_BUCKET_MS;
  const span = until - since;
  const bucketMs = Math.max(MIN_BUCKET_MS, Math.ceil(span / points / MIN_BUCKET_MS) * MIN_BUCKET_MS);
  return { since, until, bucketMs, count: Math.max(1, Math.floor(span / bucketMs)) };
}

export function bucketStart(w: SeriesWindow, k: number): number {
  return w.since + k * w.bucketMs;
}

export function bucketEnd(w: SeriesWindow, k: number): number {
  return k + 1 >= w.count ? w.until : w.since + (k + 1) * w.bucketMs;
}

/** The node events "nodes up" is replayed from (oldest first). */
export const NODE_EVENT_KINDS = ["nodeup", "nodedown", "bridge"] as const;

/**
 * Nodes up at the end of each bucket, replayed from nodeup/nodedown events. A bridge event other
 * than "bridge up" (starting, down: also a dashboard restarting after a crash, which recorded no
 * nodedown) means no node is known up until the bridge reports them again.
 */
export function replayNodesUp(events: Pick<ClusterEventDTO, "at" | "kind" | "node" | "text">[], w: SeriesWindow): number[] {
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const up = new Set<string>();
  const out: number[] = [];
  let j = 0;
  for (let k = 0; k < w.count; k++) {
    const end = bucketEnd(w, k);
    for (; j < ordered.length && ordered[j]!.e.at < end; j++) {
      const e = ordered[j]!.e;
      if (e.kind === "nodeup" && e.node) up.add(e.node);
      else if (e.kind === "nodedown" && e.node) up.delete(e.node);
      else if (e.kind === "bridge" && !/^bridge up\b/.test(e.text)) up.clear();
    }
    out.push(up.size);
  }
  return out;
}

/** What SQL counts per bucket (Store.series). */
export interface BucketCounts {
  k: number;
  sent: number;
  received: number;
  lost: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One point per bucket, rates per second over the bucket's own length; missing buckets are empty. */
export function seriesPoints(w: SeriesWindow, counts: BucketCounts[], nodesUp: number[]): SeriesPointDTO[] {
  const byK = new Map(counts.map((c) => [c.k, c]));
  const points: SeriesPointDTO[] = [];
  for (let k = 0; k < w.count; k++) {
    const t = bucketStart(w, k);
    const durationMs = bucketEnd(w, k) - t;
    const c = byK.get(k);
    const perS = (n: number) => (n === 0 ? 0 : n / (durationMs / 1000));
    points.push({
      t,
      durationMs,
      sent: c?.sent ?? 0,
      received: c?.received ?? 0,
      lost: c?.lost ?? 0,
      sentPerS: perS(c?.sent ?? 0),
      receivedPerS: perS(c?.received ?? 0),
      lostPerS: perS(c?.lost ?? 0),
      p50: c?.p50 ?? null,
      p95: c?.p95 ?? null,
      p99: c?.p99 ?? null,
      nodesUp: nodesUp[k] ?? 0,
    });
  }
  return points;
}
