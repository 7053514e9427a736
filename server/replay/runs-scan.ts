import type Database from "better-sqlite3";
import type { MessageDTO } from "../../lib/contracts/http-replies";
import { bulkId } from "../books/sampler";
import { decodeVarints, forEachRunTime } from "../books/varint";

// The bulk part of a replay page, read from the stored runs: per second, how many messages each
// node sent and received, and a few receptions as samples (every `stride`-th of the second, the
// stride chosen from the second's reception count so that each second gets about `cap`). A run
// that lies in one second and holds no sample is counted without decoding its times.

export interface PairInfo {
  from: string;
  to: string;
  sameClock: boolean;
}

export interface SecondBulk {
  nodes: Map<string, { sent: number; received: number }>;
  samples: MessageDTO[];
  /** Receptions seen so far in this second (the sample index). */
  seen: number;
  /** Every stride-th reception is a sample. */
  stride: number;
  cap: number;
}

export function newSecondBulk(received: number, cap: number): SecondBulk {
  return { nodes: new Map(), samples: [], seen: 0, stride: Math.max(1, Math.ceil(received / Math.max(1, cap))), cap };
}

/** The pairs' names and whether their two ends share a clock (one-way latency). */
export function readPairs(db: Database.Database): Map<number, PairInfo> {
  const rows = db.prepare(`SELECT id, from_node AS "from", to_node AS "to", json_extract(state, '$.sameClock') AS sc FROM pairs`).all() as { id: number; from: string; to: string; sc: number | null }[];
  return new Map(rows.map((r) => [r.id, { from: r.from, to: r.to, sameClock: r.sc !== 0 }]));
}

type Row = [pair: number, seq0: number, n: number, first: number, last: number, deltas: Uint8Array | null, lat: Uint8Array | null];

function node(b: SecondBulk, name: string) {
  let c = b.nodes.get(name);
  if (!c) b.nodes.set(name, (c = { sent: 0, received: 0 }));
  return c;
}

/**
 * Counts and samples the runs with a time in [aMs, bMs) into `seconds` (keyed by each second's
 * start in ms; a second missing from the map is skipped). `skip`: "pair.seq" of tracked messages,
 * which the page carries as themselves.
 */
export function scanRuns(db: Database.Database, pairs: Map<number, PairInfo>, aMs: number, bMs: number, seconds: Map<number, SecondBulk>, skip: Set<string>): void {
  const params = { a: aMs * 1000, b: bMs * 1000 };
  const sent = db.prepare(`SELECT pair, seq0, n, t0_first, t0_last, deltas, NULL FROM sent_runs WHERE t0_last >= @a AND t0_first < @b`).raw().iterate(params) as IterableIterator<Row>;
  for (const r of sent) eachTime(r, aMs, bMs, seconds, (b, k) => (node(b, pairs.get(r[0])?.from ?? "?").sent += k));
  const recv = db.prepare(`SELECT pair, seq0, n, t1_first, t1_last, deltas, lat FROM recv_runs WHERE t1_last >= @a AND t1_first < @b`).raw().iterate(params) as IterableIterator<Row>;
  for (const r of recv) {
    const p = pairs.get(r[0]);
    if (!p) continue;
    let lats: number[] | null = null;
    eachTime(r, aMs, bMs, seconds, (b, k, t, i) => {
      node(b, p.to).received += k;
      if (t === null) return (b.seen += k);
      if (b.seen++ % b.stride !== 0 || b.samples.length >= b.cap || skip.has(`${r[0]}.${r[1] + i}`)) return;
      lats ??= r[6] ? decodeVarints(r[6], r[2]) : [];
      b.samples.push(sample(r[0], r[1] + i, p, t, lats[i] ?? null, b.stride));
    }, (b, n) => b.samples.length >= b.cap || Math.ceil(b.seen / b.stride) * b.stride >= b.seen + n);
  }
  for (const b of seconds.values()) b.samples.sort((x, y) => x.receivedAt! - y.receivedAt!);
}

/**
 * Calls `fn` for the run's messages in the window: once with their count when the run lies in one
 * second and `bulkOk` says nothing in it needs a look (t null), else once per message with its
 * time (ms) and index. Without detail (no deltas) the run counts at its first time.
 */
function eachTime(
  r: Row,
  aMs: number,
  bMs: number,
  seconds: Map<number, SecondBulk>,
  fn: (b: SecondBulk, k: number, t: number | null, i: number) => void,
  bulkOk: (b: SecondBulk, n: number) => boolean = () => true,
): void {
  const [, , n, first, last, deltas] = r;
  const s0 = secondOf(first / 1000);
  if (deltas === null || (s0 === secondOf(last / 1000) && first / 1000 >= aMs && last / 1000 < bMs)) {
    const b = first / 1000 >= aMs && first / 1000 < bMs ? seconds.get(s0) : undefined;
    if (b && (deltas === null || bulkOk(b, n))) return fn(b, n, null, 0);
    if (!b) return;
  }
  forEachRunTime(first, deltas, n, (tUs, i) => {
    const t = tUs / 1000;
    if (t < aMs || t >= bMs) return;
    const b = seconds.get(secondOf(t));
    if (b) fn(b, 1, t, i);
  });
}

export function secondOf(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function sample(pair: number, seq: number, p: PairInfo, t: number, latUs: number | null, of: number): MessageDTO {
  const oneWay = p.sameClock && latUs !== null;
  return {
    id: bulkId(pair, seq), from: p.from, to: p.to, content: "", status: "received",
    sentAt: oneWay ? t - latUs / 1000 : null, receivedAt: t, ackedAt: null,
    latencyMs: oneWay ? latUs / 1000 : null, ...(oneWay ? { latencyKind: "one-way" as const } : {}),
    reason: null, seed: false, sampled: true, sampleOf: of,
  };
}
