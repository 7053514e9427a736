import type Database from "better-sqlite3";
import type { RunReader, RunTimes } from "../books/bulk-message";
import type { BatchHolder } from "../books/batch";
import type { PairState } from "../books/pair-state";
import type { BooksLoader } from "../books/registry";
import { forEachRunTime, forEachVarint, varintBytes } from "../books/varint";

// What the books ask the store: pairs and incarnations no longer in memory, and the times of one
// message decoded from the run that holds it (GET /api/messages/p<pair>.<seq>). Rows still
// waiting in the writer's batch count too: an answer never depends on when the last write was.

interface RunRow {
  seq0: number;
  n: number;
  first: number;
  last: number;
  deltas: Uint8Array | null;
  lat?: Uint8Array | null;
}

/** The time of message k of a run (null when the run carries no detail and k is neither end). */
function timeAt(r: RunRow, k: number): number | null {
  if (k === 0) return r.first;
  if (k === r.n - 1) return r.last;
  let t: number | null = null;
  forEachRunTime(r.first, r.deltas, k + 1, (v, i) => {
    if (i === k) t = v;
  });
  return t;
}

function varintAt(bytes: Uint8Array | null | undefined, k: number): number | null {
  if (!bytes) return null;
  let v: number | null = null;
  forEachVarint(bytes, (x, i) => {
    if (i === k) v = x;
  }, k + 1);
  return v;
}

export class BooksQueries implements BooksLoader, RunReader {
  private readonly q;

  constructor(db: Database.Database, private readonly holder: BatchHolder) {
    this.q = {
      pair: db.prepare(`SELECT id, state FROM pairs WHERE from_node = ? AND from_inc = ? AND to_node = ?`),
      pairById: db.prepare(`SELECT id, from_node AS "from", from_inc AS fromInc, to_node AS "to", state FROM pairs WHERE id = ?`),
      ofSender: db.prepare(`SELECT id, to_node AS "to", state FROM pairs WHERE from_node = ? AND from_inc = ?`),
      applied: db.prepare(`SELECT rseq FROM applied WHERE node = ? AND inc = ?`).pluck(),
      loss: db.prepare(`SELECT reason FROM losses WHERE pair = ? AND seq0 <= ? AND seq1 >= ? ORDER BY seq0 DESC LIMIT 1`).pluck(),
      maxPair: db.prepare(`SELECT MAX(id) FROM pairs`).pluck(),
      sent: db.prepare(`SELECT seq0, n, t0_first AS first, t0_last AS last, deltas FROM sent_runs WHERE pair = ? AND seq0 <= ? ORDER BY seq0 DESC LIMIT 1`),
      recv: db.prepare(`SELECT seq0, n, t1_first AS first, t1_last AS last, deltas, lat FROM recv_runs WHERE pair = ? AND seq0 <= ? ORDER BY seq0 DESC LIMIT 1`),
      ack: db.prepare(`SELECT t2 FROM acks WHERE pair = ? AND up_to >= ? ORDER BY up_to LIMIT 1`).pluck(),
    };
  }

  pair(from: string, fromInc: number, to: string): { id: number; state: PairState } | undefined {
    const r = this.q.pair.get(from, fromInc, to) as { id: number; state: string } | undefined;
    return r ? { id: r.id, state: JSON.parse(r.state) as PairState } : undefined;
  }

  pairById(id: number) {
    const r = this.q.pairById.get(id) as { id: number; from: string; fromInc: number; to: string; state: string } | undefined;
    return r ? { ...r, state: JSON.parse(r.state) as PairState } : undefined;
  }

  pairsOfSender(from: string, fromInc: number): { id: number; to: string; state: PairState }[] {
    return (this.q.ofSender.all(from, fromInc) as { id: number; to: string; state: string }[]).map((r) => ({ ...r, state: JSON.parse(r.state) as PairState }));
  }

  applied(node: string, inc: number): number | undefined {
    return (this.q.applied.get(node, inc) as number | undefined) ?? undefined;
  }

  lossAt(pair: number, seq: number): string | undefined {
    const waiting = this.holder.current.losses.find((l) => l.pair === pair && l.lo <= seq && seq <= l.hi);
    return waiting?.reason ?? ((this.q.loss.get(pair, seq, seq) as string | undefined) ?? undefined);
  }

  maxPairId(): number {
    return (this.q.maxPair.get() as number | null) ?? 0;
  }

  times(pair: number, seq: number): RunTimes {
    const b = this.holder.current;
    const sent = findRun(b.sent.map((r) => ({ pair: r.pair, seq0: r.seq0, n: r.n, first: r.t0First, last: r.t0Last, deltas: varintBytes(r.deltas) })), pair, seq)
      ?? this.stored(this.q.sent, pair, seq);
    const recv = findRun(b.recv.map((r) => ({ pair: r.pair, seq0: r.seq0, n: r.n, first: r.t1First, last: r.t1Last, deltas: varintBytes(r.deltas), lat: varintBytes(r.lat) })), pair, seq)
      ?? this.stored(this.q.recv, pair, seq);
    const waitingAck = b.acks.filter((a) => a.pair === pair && a.upTo >= seq).sort((x, y) => x.upTo - y.upTo)[0];
    const storedAck = this.q.ack.get(pair, seq) as number | undefined;
    return {
      t0: sent ? timeAt(sent, seq - sent.seq0) : null,
      t1: recv ? timeAt(recv, seq - recv.seq0) : null,
      latUs: recv ? varintAt(recv.lat, seq - recv.seq0) : null,
      t2: storedAck ?? waitingAck?.t2 ?? null,
    };
  }

  private stored(stmt: Database.Statement, pair: number, seq: number): RunRow | undefined {
    const r = stmt.get(pair, seq) as RunRow | undefined;
    return r && seq < r.seq0 + r.n ? r : undefined;
  }
}

function findRun<R extends RunRow & { pair: number }>(rows: R[], pair: number, seq: number): R | undefined {
  return rows.find((r) => r.pair === pair && r.seq0 <= seq && seq < r.seq0 + r.n);
}
