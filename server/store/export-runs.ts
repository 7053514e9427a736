import type Database from "better-sqlite3";
import type { MessageDTO } from "../../lib/contracts/http-replies";
import { bulkMessageDTO } from "../books/bulk-message";
import { type PairState, tentativeFor } from "../books/pair-state";
import { forEachRunTime, forEachVarint } from "../books/varint";

// Messages of the stored runs, one at a time (CSV/JSON export with `expand=1`, and the tallies
// of a range): per pair, its sent and received runs, loss ranges and acks are read in seq order
// side by side, and each seq gets the status the books give it, with its times decoded.

export interface StoredPair {
  id: number;
  from: string;
  fromInc: number;
  to: string;
  state: PairState;
}

const PAGE = 500;

interface Run {
  seq0: number;
  n: number;
  times: number[];
  lat: number[] | null;
}

function decodeRun(seq0: number, n: number, first: number, last: number, deltas: Uint8Array | null, lat?: Uint8Array | null): Run {
  const times: number[] = [];
  if (!forEachRunTime(first, deltas, n, (t) => times.push(t))) {
    times[0] = first;
    times[n - 1] = last;
  }
  let lats: number[] | null = null;
  if (lat) {
    lats = [];
    forEachVarint(lat, (v) => lats!.push(v), n);
  }
  return { seq0, n, times, lat: lats };
}

/**
 * A cursor over one pair's runs in seq order: the run holding `seq`, if any. Rows are read a page
 * at a time (better-sqlite3 runs one statement at a time per connection: no open cursors side by side).
 */
class RunCursor {
  private run: Run | null = null;
  private page: Run[] = [];
  private next = 0;
  private done = false;

  constructor(
    private readonly stmt: Database.Statement,
    private readonly pair: number,
    private readonly decode: (row: unknown[]) => Run,
  ) {}

  private pull(): Run | null {
    if (this.next >= this.page.length) {
      if (this.done) return null;
      const after = this.page.length ? this.page[this.page.length - 1]!.seq0 : 0;
      this.page = (this.stmt.raw().all(this.pair, after) as unknown[][]).map(this.decode);
      this.next = 0;
      this.done = this.page.length < PAGE;
      if (this.page.length === 0) return null;
    }
    return this.page[this.next++]!;
  }

  at(seq: number): { t: number | null; lat: number | null } | null {
    while (!this.run || this.run.seq0 + this.run.n <= seq) {
      const r = this.pull();
      if (!r) return null;
      this.run = r;
    }
    if (seq < this.run.seq0) return null;
    const k = seq - this.run.seq0;
    return { t: this.run.times[k] ?? null, lat: this.run.lat?.[k] ?? null };
  }
}

export interface ExpandOptions {
  /** ms bounds on a message's time (its send time, else its reception, else its verdict). */
  since?: number;
  until?: number;
  /** (pair, seq) of tracked messages, which are exported as themselves, not again. */
  skip?: Set<string>;
}

/** Every message of one pair's stored runs (from the oldest seq still stored), in seq order. */
export function* expandPair(db: Database.Database, p: StoredPair, opts: ExpandOptions = {}): Generator<MessageDTO> {
  const sent = new RunCursor(db.prepare(`SELECT seq0, n, t0_first, t0_last, deltas FROM sent_runs WHERE pair = ? AND seq0 > ? ORDER BY seq0 LIMIT ${PAGE}`), p.id, (r) => decodeRun(...(r as [number, number, number, number, Uint8Array | null])));
  const recv = new RunCursor(db.prepare(`SELECT seq0, n, t1_first, t1_last, deltas, lat FROM recv_runs WHERE pair = ? AND seq0 > ? ORDER BY seq0 LIMIT ${PAGE}`), p.id, (r) => decodeRun(...(r as [number, number, number, number, Uint8Array | null, Uint8Array | null])));
  const losses = db.prepare(`SELECT seq0, seq1, reason, at FROM losses WHERE pair = ? ORDER BY seq0`).all(p.id) as { seq0: number; seq1: number; reason: string; at: number }[];
  const acks = db.prepare(`SELECT up_to AS upTo, t2 FROM acks WHERE pair = ? ORDER BY up_to`).all(p.id) as { upTo: number; t2: number }[];
  const lo = Math.min(
    ...[`sent_runs`, `recv_runs`].map((t) => (db.prepare(`SELECT MIN(seq0) FROM ${t} WHERE pair = ?`).pluck().get(p.id) as number | null) ?? Infinity),
    losses[0]?.seq0 ?? Infinity,
    p.state.rHi + 1,
  );
  const st = p.state;
  let li = 0;
  let ai = 0;
  for (let seq = Math.max(1, lo); seq <= st.s; seq++) {
    const s = sent.at(seq);
    const r = recv.at(seq);
    while (li < losses.length && losses[li]!.seq1 < seq) li++;
    const loss = losses[li] && losses[li]!.seq0 <= seq ? losses[li]! : null;
    while (ai < acks.length && acks[ai]!.upTo < seq) ai++;
    const tent = tentativeFor(st, seq);
    const received = seq <= st.rHi && !loss;
    const lost = received ? null : (loss?.reason ?? tent?.reason ?? null);
    const times = { t0: s?.t ?? null, t1: r?.t ?? null, latUs: r?.lat ?? null, t2: ai < acks.length ? acks[ai]!.t2 : null };
    const m = bulkMessageDTO({ ...p, sameClock: st.sameClock }, seq, times, { received, acked: received && seq <= st.ackedUpTo, lost });
    if (opts.skip?.has(`${p.id}.${seq}`) || !inRange(m, loss?.at ?? tent?.at ?? null, opts)) continue;
    yield m;
  }
}

function inRange(m: MessageDTO, verdictAt: number | null, o: ExpandOptions): boolean {
  if (o.since === undefined && o.until === undefined) return true;
  const t = m.sentAt ?? m.receivedAt ?? verdictAt;
  if (t === null) return false;
  return (o.since === undefined || t >= o.since) && (o.until === undefined || t <= o.until);
}

/**
 * Latencies (µs) of the stored receptions, by kind: one-way from the runs of pairs on one host,
 * half round trips from the acks of pairs across hosts. `inRange` picks by reception or ack time (ms).
 */
export function storedLatencies(db: Database.Database, pairs: Map<number, StoredPair>, inRange: (ms: number) => boolean): { oneWay: Float64Array; halfRtt: Float64Array } {
  const oneWay: number[] = [];
  const halfRtt: number[] = [];
  for (const [pair, n, first, lat] of db.prepare(`SELECT pair, n, t1_first, lat FROM recv_runs WHERE lat IS NOT NULL`).raw().iterate() as IterableIterator<[number, number, number, Uint8Array]>) {
    if (!pairs.get(pair)?.state.sameClock || !inRange(first / 1000)) continue;
    forEachVarint(lat, (v) => oneWay.push(v), n);
  }
  for (const [pair, t2, t0] of db.prepare(`SELECT pair, t2, t0 FROM acks`).raw().iterate() as IterableIterator<[number, number, number]>) {
    if (pairs.get(pair)?.state.sameClock !== false || !inRange(t2 / 1000) || t2 < t0) continue;
    halfRtt.push((t2 - t0) / 2);
  }
  return { oneWay: Float64Array.from(oneWay).sort(), halfRtt: Float64Array.from(halfRtt).sort() };
}
