import type { ClusterEventDTO } from "../../lib/contracts/http-replies";
import type { PairBook } from "./pair";
import { SeriesDeltas } from "./series-agg";
import type { TrackedMessage } from "./tracked-message";

// What waits to be written to SQLite, in one transaction: the runs of the reports applied since
// the last write, the pairs and counters they changed, the last applied rseq per node
// incarnation, the series deltas, tracked messages and cluster events. A failed write keeps the
// batch, and what comes next is added to it (rows appended, states taken at write time, series
// deltas summed), so one later write stores it all; the reports stay in the nodes' outboxes
// until then (no commit is sent for them), so nothing is lost either way.

// Varints stay base64 text (as the frame carried them) until the write decodes them: the bytes
// then live for one transaction, not for the batch's 200 ms (fewer long-lived buffers to collect).

export interface SentRunRow {
  pair: number;
  seq0: number;
  n: number;
  t0First: number;
  t0Last: number;
  deltas: string | null;
}

export interface RecvRunRow {
  pair: number;
  toInc: number;
  seq0: number;
  n: number;
  t1First: number;
  t1Last: number;
  deltas: string | null;
  lat: string | null;
}

/** An exact loss (a gap): final. */
export interface LossRow {
  pair: number;
  lo: number;
  hi: number;
  reason: string;
  at: number;
}

export interface AckRow {
  pair: number;
  upTo: number;
  t2: number;
  t0: number;
}

export interface AppliedRow {
  node: string;
  inc: number;
  rseq: number;
}

export class StoreBatch {
  sent: SentRunRow[] = [];
  recv: RecvRunRow[] = [];
  losses: LossRow[] = [];
  acks: AckRow[] = [];
  readonly pairs = new Set<PairBook>();
  readonly applied = new Map<string, AppliedRow>();
  readonly series = new SeriesDeltas();
  readonly messages = new Map<string, TrackedMessage>();
  events: ClusterEventDTO[] = [];
  /** Counters changed (the tally's rows are taken at write time). */
  counters = false;

  appliedReport(node: string, inc: number, rseq: number): void {
    this.applied.set(`${node}\u0000${inc}`, { node, inc, rseq });
  }

  message(m: TrackedMessage): void {
    this.messages.delete(m.id); // re-inserted last: in order of last update
    this.messages.set(m.id, m);
  }

  rows(): number {
    return this.sent.length + this.recv.length + this.losses.length + this.acks.length + this.pairs.size + this.applied.size + this.messages.size + this.events.length;
  }

  empty(): boolean {
    return this.rows() === 0 && this.series.empty() && !this.counters;
  }
}

/** The batch the producers add to; the writer swaps in a new one after a write that worked. */
export class BatchHolder {
  current = new StoreBatch();

  take(): StoreBatch {
    const b = this.current;
    this.current = new StoreBatch();
    return b;
  }
}
