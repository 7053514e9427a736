import Database from "better-sqlite3";
import { nearestRank } from "../../lib/percentile";
import type { LatencyKind } from "../../lib/contracts/common";
import type { ClusterEventDTO, MessageDTO, PairProgressDTO, Tally } from "../../lib/contracts/http-replies";
import { bulkId } from "../books/sampler";
import { type PairState, countsOf } from "../books/pair-state";
import { emptyTally, addToTally } from "../export-tally";
import { type StoredPair, expandPair, storedLatencies } from "./export-runs";
import { readCounters } from "./recovery";
import { eventRowToDTO, type EventRow, mapIterator, type MessageRow, rowToDTO } from "./rows";

// The history as an export reads it: one read-only connection, one snapshot, rows streamed. The
// books come from the stored counters (the whole history: exact whatever retention deleted) or,
// for a time range, from the messages of the stored runs in it; tracked and seed messages from
// their rows.

/** Bounds on a message's time (ms epoch) and on events' `at`, both inclusive. */
export interface ExportRange {
  since?: number;
  until?: number;
}

export interface ReasonCount {
  reason: string;
  n: number;
  examples: { id: string; from: string; to: string; sentAt: number | null; createdAt: number }[];
}

export interface SeedReception {
  from: string;
  to: string;
  n: number;
  first: number | null;
  last: number | null;
  example: string;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** The books of an export: counts as /api/stats counts them, per sender, and received per receiver. */
export interface ExportBooks {
  tally: Tally;
  bySender: Map<string, Tally>;
  inbound: Map<string, number>;
  span: { first: number | null; last: number | null };
}

export type { LatencyKind };

export class ExportReader {
  private readonly db: Database.Database;
  private readonly mWhere: string;
  private readonly eWhere: string;
  private readonly params: { since: number; until: number };
  private storedPairs: Map<number, StoredPair> | null = null;
  private closed = false;

  constructor(file: string, private readonly range: ExportRange) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.params = { since: range.since ?? -Infinity, until: range.until ?? Infinity };
    const where = (col: string) =>
      [range.since !== undefined ? `${col} >= @since` : "", range.until !== undefined ? `${col} <= @until` : ""].filter(Boolean).join(" AND ") || "1";
    this.mWhere = where("COALESCE(sent_at, received_at, created_at)");
    this.eWhere = where("at");
    // The first read inside the transaction fixes the snapshot every later query sees.
    this.db.exec("BEGIN");
    this.db.prepare(`SELECT 1 FROM messages LIMIT 1`).get();
  }

  private get whole(): boolean {
    return this.range.since === undefined && this.range.until === undefined;
  }

  /** Every pair's stored books (a few per node pair and incarnation). */
  pairs(): Map<number, StoredPair> {
    if (this.storedPairs) return this.storedPairs;
    const rows = this.db.prepare(`SELECT id, from_node AS "from", from_inc AS fromInc, to_node AS "to", state FROM pairs ORDER BY id`).all() as (Omit<StoredPair, "state"> & { state: string })[];
    this.storedPairs = new Map(rows.map((r) => [r.id, { ...r, state: JSON.parse(r.state) as PairState }]));
    return this.storedPairs;
  }

  /** Each pair's books now (sent, received, acked, lost, in flight). */
  pairProgress(): PairProgressDTO[] {
    return [...this.pairs().values()].map((p) => ({ pair: p.id, from: p.from, to: p.to, ...countsOf(p.state) }));
  }

  /**
   * The books: for the whole history the stored counters (exact after retention) with failures
   * and pending messages from the tracked rows; for a range, every message of the stored runs
   * and rows in it, counted one by one (`pause` between slices).
   */
  async books(pause: () => Promise<void> = async () => {}, slice = 20_000): Promise<ExportBooks> {
    const steps = this.booksSteps(slice);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await pause();
    }
  }

  /** The same, at once (for a stream that cannot wait). */
  booksNow(): ExportBooks {
    const steps = this.booksSteps(Infinity);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  private *booksSteps(slice: number): Generator<void, ExportBooks> {
    const out: ExportBooks = { tally: emptyTally(), bySender: new Map(), inbound: new Map(), span: this.span() };
    const sender = (n: string) => out.bySender.get(n) ?? out.bySender.set(n, emptyTally()).get(n)!;
    if (this.whole) {
      const c = readCounters(this.db);
      Object.assign(out.tally, c?.totals ?? {});
      for (const [n, counts] of Object.entries(c?.perNode ?? {})) Object.assign(sender(n), counts);
      for (const [n, i] of Object.entries(c?.inbound ?? {})) out.inbound.set(n, i);
      for (const p of this.pairs().values()) sender(p.from).failed += p.state.failed;
      for (const r of this.db.prepare(`SELECT from_node AS "from", status, reason, seed FROM messages WHERE status IN ('pending','failed') OR seed = 1`).iterate() as IterableIterator<{ from: string; status: string; reason: string | null; seed: number }>) {
        if (r.seed === 1) out.tally.seedReceived++;
        else if (r.status === "pending") out.tally.pending++;
        else if (r.reason !== "sender could not send: not_connected") sender(r.from).failed++;
      }
      out.tally.rows = this.db.prepare(`SELECT COUNT(*) FROM messages`).pluck().get() as number;
      return out;
    }
    let i = 0;
    const count = (m: MessageDTO) => {
      addToTally(out.tally, m.status, 1, m.seed);
      addToTally(sender(m.from), m.status, 1, m.seed);
      if (m.status === "received" || m.status === "acked") out.inbound.set(m.to, (out.inbound.get(m.to) ?? 0) + 1);
    };
    for (const m of this.iterateMessages()) if (m.seed || m.status === "pending" || (m.status === "failed" && m.reason !== "sender could not send: not_connected")) count(m);
    for (const m of this.iterateExpanded(false)) {
      count(m);
      if (++i % slice === 0) yield;
    }
    out.tally.rows = i;
    return out;
  }

  /** Nearest-rank percentiles of the stored latencies of one kind, and their maximum. */
  latency(kind: LatencyKind): LatencySummary {
    const t = (ms: number) => ms >= this.params.since && ms <= this.params.until;
    const { oneWay, halfRtt } = storedLatencies(this.db, this.pairs(), t);
    const us = kind === "one-way" ? oneWay : halfRtt;
    return latencySummary(us.length, [...us].map((v) => Math.round(v) / 1000)[Symbol.iterator]());
  }

  /** Losses by reason, most frequent first, with a few examples each (tracked message ids where there are some). */
  reasons(status: "lost" | "failed", limit = 20, examples = 3): ReasonCount[] {
    return status === "lost" ? this.lossReasons(limit, examples) : this.failReasons(limit, examples);
  }

  /** Seed-protocol receptions ({send, From, Content}), grouped by sender and receiver. */
  seedReceptions(limit = 50): SeedReception[] {
    return this.db
      .prepare(
        `SELECT from_node AS "from", to_node AS "to", COUNT(*) AS n, MIN(received_at) AS first, MAX(received_at) AS last, MIN(content) AS example
         FROM messages WHERE ${this.mWhere} AND seed = 1 GROUP BY from_node, to_node ORDER BY n DESC, from_node LIMIT @limit`,
      )
      .all({ ...this.params, limit }) as SeedReception[];
  }

  /** Events of the given kinds, oldest first (all of them when `kinds` is absent). */
  events(kinds?: string[], limit = 1_000_000): ClusterEventDTO[] {
    const byKind = kinds ? ` AND kind IN (${kinds.map(() => "?").join(",")})` : "";
    const rows = this.db
      .prepare(`SELECT at, kind, node, text FROM events WHERE at >= ? AND at <= ?${byKind} ORDER BY seq DESC LIMIT ?`)
      .all(this.params.since, this.params.until, ...(kinds ?? []), limit) as EventRow[];
    rows.reverse();
    return rows.map(eventRowToDTO);
  }

  iterateEvents(): IterableIterator<ClusterEventDTO> {
    const it = this.db.prepare(`SELECT at, kind, node, text FROM events WHERE ${this.eWhere} ORDER BY seq`).iterate(this.params) as IterableIterator<EventRow>;
    return mapIterator(it, eventRowToDTO);
  }

  /** Tracked and seed messages in the range, in creation order. */
  iterateMessages(): IterableIterator<MessageDTO> {
    const it = this.db.prepare(`SELECT * FROM messages WHERE ${this.mWhere} ORDER BY seq`).iterate(this.params) as IterableIterator<MessageRow>;
    return mapIterator(it, rowToDTO);
  }

  /** Every message of the stored runs in the range, pair by pair; `skipTracked`: not those exported as tracked rows. */
  *iterateExpanded(skipTracked = true): Generator<MessageDTO> {
    const skip = new Set<string>();
    if (skipTracked) {
      for (const [pair, seq] of this.db.prepare(`SELECT pair, pair_seq FROM messages WHERE pair IS NOT NULL AND pair_seq IS NOT NULL`).raw().iterate() as IterableIterator<[number, number]>) skip.add(`${pair}.${seq}`);
    }
    for (const p of this.pairs().values()) yield* expandPair(this.db, p, { ...this.range, skip });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.db.inTransaction) this.db.exec("COMMIT");
    } catch {
      /* a cursor still open: closing the connection ends the read transaction anyway */
    }
    this.db.close();
  }

  private span(): { first: number | null; last: number | null } {
    const r = this.db.prepare(`SELECT MIN(sec) * 1000 AS first, (MAX(sec) + 1) * 1000 AS last FROM series`).get() as { first: number | null; last: number | null };
    return { first: r.first === null ? null : Math.max(r.first, this.params.since), last: r.last === null ? null : Math.min(r.last, this.params.until) };
  }

  private lossReasons(limit: number, examples: number): ReasonCount[] {
    const byReason = new Map<string, ReasonCount>();
    const add = (p: StoredPair, lo: number, hi: number, reason: string, at: number) => {
      if (at < this.params.since || at > this.params.until) return;
      const r = byReason.get(reason) ?? byReason.set(reason, { reason, n: 0, examples: [] }).get(reason)!;
      r.n += hi - lo + 1;
      if (r.examples.length < examples) r.examples.push(...this.examplesIn(p, lo, hi, at, examples - r.examples.length));
    };
    const pairs = this.pairs();
    for (const l of this.db.prepare(`SELECT pair, seq0, seq1, reason, at FROM losses ORDER BY rowid`).all() as { pair: number; seq0: number; seq1: number; reason: string; at: number }[]) {
      const p = pairs.get(l.pair);
      if (p) add(p, l.seq0, l.seq1, l.reason, l.at);
    }
    for (const p of pairs.values()) {
      let below = p.state.rHi;
      for (const t of p.state.tent) {
        add(p, below + 1, t.hi, t.reason, t.at);
        below = t.hi;
      }
    }
    return [...byReason.values()].sort((a, b) => b.n - a.n || a.reason.localeCompare(b.reason)).slice(0, limit);
  }

  /** Tracked messages among seqs lo..hi of a pair (as examples), else the bulk ids of the first ones. */
  private examplesIn(p: StoredPair, lo: number, hi: number, at: number, n: number): ReasonCount["examples"] {
    const tracked = this.db.prepare(`SELECT id, sent_at AS sentAt, created_at AS createdAt FROM messages WHERE pair = ? AND pair_seq BETWEEN ? AND ? ORDER BY pair_seq LIMIT ?`).all(p.id, lo, hi, n) as { id: string; sentAt: number | null; createdAt: number }[];
    if (tracked.length) return tracked.map((t) => ({ ...t, from: p.from, to: p.to }));
    return Array.from({ length: Math.min(n, hi - lo + 1) }, (_, k) => ({ id: bulkId(p.id, lo + k), from: p.from, to: p.to, sentAt: null, createdAt: at }));
  }

  private failReasons(limit: number, examples: number): ReasonCount[] {
    const out = this.db
      .prepare(`SELECT reason, COUNT(*) AS n FROM messages WHERE ${this.mWhere} AND status = 'failed' AND reason <> 'sender could not send: not_connected' GROUP BY 1 ORDER BY n DESC LIMIT @limit`)
      .all({ ...this.params, limit }) as { reason: string; n: number }[];
    const ex = this.db.prepare(
      `SELECT id, from_node AS "from", to_node AS "to", sent_at AS sentAt, created_at AS createdAt FROM messages WHERE ${this.mWhere} AND status = 'failed' AND reason = @reason ORDER BY seq LIMIT @examples`,
    );
    const reasons: ReasonCount[] = out.map((g) => ({ ...g, examples: ex.all({ ...this.params, reason: g.reason, examples }) as ReasonCount["examples"] }));
    const local = [...this.pairs().values()].reduce((a, p) => a + p.state.failed, 0);
    if (local > 0 && this.whole) reasons.push({ reason: "sender could not send: not_connected", n: local, examples: [] });
    return reasons.sort((a, b) => b.n - a.n);
  }
}

/**
 * Nearest-rank percentiles (lib/percentile.ts) of `n` values read in ascending order, and the
 * maximum (the last). Reads the iterator once, keeping nothing but the answers.
 */
export function latencySummary(n: number, ascending: Iterator<number>): LatencySummary {
  const out: LatencySummary = { count: n, p50: null, p95: null, p99: null, max: null };
  if (n <= 0) return out;
  const want = ([["p50", 50], ["p95", 95], ["p99", 99]] as const).map(([k, p]) => [k, nearestRank(p, n)] as const);
  let i = 0;
  let last: number | null = null;
  for (let r = ascending.next(); !r.done; r = ascending.next()) {
    i++;
    last = r.value;
    for (const [k, at] of want) if (at === i) out[k] = r.value;
    if (i >= n) break;
  }
  ascending.return?.();
  out.max = last;
  out.count = i;
  return out;
}
