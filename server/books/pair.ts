import type { Counts } from "./counts";
import { type PairState, type TentativeLoss, countsOf, tentTop, tentativeFor } from "./pair-state";
import { ReceiptMarks } from "./receipt-marks";

// The books of one pair (from, fromInc, to): the rules of what counts as sent, received and lost
// (docs/ACCOUNTING.md). Every seq 1..S is in exactly one of: received (≤ rHi, not in a gap), an
// exact loss (a gap below rHi: final), a tentative loss (a verdict on the seqs just above rHi,
// overturned by a later reception), or in flight. So sent = received + lost + inFlight, always.
// No per-message object: a pair is a handful of numbers, whatever its traffic.

export function pairKey(from: string, fromInc: number, to: string): string {
  return `${from}\u0000${fromInc}\u0000${to}`;
}

/** An exact loss found by a reception: seqs lo..hi never arrived. `newlyLost`: those not already judged lost. */
export interface Gap {
  lo: number;
  hi: number;
  reason: string;
  newlyLost: number;
}

/** What a reception changed besides the counts: a gap it revealed, tentative losses it overturned (when they were judged). */
export interface RecvEffect {
  gap: Gap | null;
  received: number;
  overturned: { at: number; n: number }[];
  /** Seqs the books learnt were sent from this reception (the sender had not reported them). */
  sentGrown: number;
}

/**
 * The reason of a gap, from what the ledger knows of the link and the receiver: its incarnation
 * before (0: none reported on this pair yet) and now, and since when (server ms) the last reception.
 */
export type GapReason = (at: { lastToInc: number; toInc: number; since: number; createdAt: number }) => string;

/** Tentative losses merged from `fromAt` into the verdict of `toAt` (a bound on their number). */
export interface Moved {
  fromAt: number;
  toAt: number;
  n: number;
}

export type Fate =
  | { is: "unsent" | "received" | "in flight" | "older" }
  | { is: "lost"; reason: string; final: boolean; at: number | null };

const MAX_TENTATIVE = 512;
const MAX_INCS = 4;

export class PairBook {
  /** S: the highest seq known sent (the sender's reports, or a reception beyond them). */
  s = 0;
  /** The highest seq the sender itself reported sent (what its `sentTo` counts). */
  sentHi = 0;
  rHi = 0;
  exactLost = 0;
  tent: TentativeLoss[] = [];
  failed = 0;
  ackedUpTo = 0;
  private ackEff = 0;
  ackedCount = 0;
  /** Gaps not yet below the acked point (to count acked receptions exactly). */
  private openGaps: [number, number][] = [];
  /** The newest gaps with their reasons (older ones are in the store's loss rows). */
  private recentGaps: [number, number, string][] = [];
  lastToInc = 0;
  /** Receptions per receiver incarnation (what each one's `recvFrom` counts). */
  recvByInc = new Map<number, number>();
  lastRecvAt: number;
  /** Server receipt times of sent seqs above rHi: the one clock timeouts are judged on. */
  private readonly marks = new ReceiptMarks();

  constructor(
    readonly id: number,
    readonly from: string,
    readonly fromInc: number,
    readonly to: string,
    public sameClock: boolean,
    readonly createdAt: number,
  ) {
    this.lastRecvAt = createdAt;
  }

  get key(): string {
    return pairKey(this.from, this.fromInc, this.to);
  }

  tentTop(): number {
    return tentTop(this);
  }

  counts(): Counts {
    return countsOf(this);
  }

  inFlight(): number {
    return this.s - this.tentTop();
  }

  /** The sender reported seqs seq0 .. seq0+n-1 sent; `now` is the server's receipt time. */
  applySent(seq0: number, n: number, now: number): number {
    const hi = seq0 + n - 1;
    if (hi <= this.sentHi) return 0;
    this.sentHi = hi;
    if (hi <= this.s) return 0;
    const grown = hi - this.s;
    this.s = hi;
    this.marks.mark(hi, now);
    return grown;
  }

  /**
   * The receiver (incarnation `toInc`) reported seqs seq0 .. seq0+n-1 received. A seq above rHi + 1
   * reveals a gap: an exact loss, with the reason `gapReason` gives (it knows what happened to the
   * link). Tentative losses among the received seqs are overturned, each once.
   */
  applyRecv(toInc: number, seq0: number, n: number, now: number, gapReason: GapReason): RecvEffect {
    const effect: RecvEffect = { gap: null, received: 0, overturned: [], sentGrown: 0 };
    const hi = seq0 + n - 1;
    if (hi <= this.rHi) return effect;
    const lo = Math.max(seq0, this.rHi + 1);
    if (lo > this.rHi + 1) effect.gap = this.gap(this.rHi + 1, lo - 1, gapReason({ lastToInc: this.lastToInc, toInc, since: this.lastRecvAt, createdAt: this.createdAt }));
    effect.overturned = this.overturn(lo, hi);
    effect.received = hi - lo + 1;
    this.rHi = hi;
    if (hi > this.s) {
      effect.sentGrown = hi - this.s;
      this.s = hi;
    }
    this.marks.drop(hi);
    this.countInc(toInc, effect.received);
    this.lastToInc = toInc;
    this.lastRecvAt = now;
    this.updateAcked();
    return effect;
  }

  /** The sender's newest cumulative ack from the receiver. */
  applyAck(upTo: number): boolean {
    if (upTo <= this.ackedUpTo) return false;
    this.ackedUpTo = upTo;
    this.updateAcked();
    return true;
  }

  /**
   * A tentative verdict on everything in flight up to `upTo` (default: all of it): `receiver_down`,
   * `node_frozen`, `partition`... Answers how many seqs it judged lost, and any merge of old verdicts.
   */
  judge(reason: string, now: number, upTo = this.s): { lost: number; moved: Moved | null } {
    const top = this.tentTop();
    const hi = Math.min(upTo, this.s);
    if (hi <= top) return { lost: 0, moved: null };
    const last = this.tent[this.tent.length - 1];
    let moved: Moved | null = null;
    if (last && last.reason === reason && Math.floor(last.at / 1000) === Math.floor(now / 1000)) last.hi = hi;
    else {
      this.tent.push({ hi, reason, at: now });
      if (this.tent.length > MAX_TENTATIVE) moved = this.mergeOldest();
    }
    this.marks.drop(hi);
    return { lost: hi - top, moved };
  }

  /** The timeout verdict: seqs whose report reached the server more than `timeoutMs` ago (counted from `resumedAt` at the earliest). */
  judgeTimeout(now: number, timeoutMs: number, resumedAt: number, reason: string): { lost: number; moved: Moved | null } {
    const upTo = this.marks.overdue(now, timeoutMs, resumedAt);
    return upTo > 0 ? this.judge(reason, now, upTo) : { lost: 0, moved: null };
  }

  /** The tentative verdict covering `seq`, if any. */
  tentativeFor(seq: number): TentativeLoss | null {
    return tentativeFor(this, seq);
  }

  /**
   * What the books say of one seq: not sent (as far as the books know), received, lost (exact, a
   * gap; or tentative, with when it was judged), in flight, or `older`: below rHi and older than the
   * gaps kept in memory (the store's loss rows tell whether it is in a gap).
   */
  fate(seq: number): Fate {
    if (seq < 1 || seq > this.s) return { is: "unsent" };
    if (seq <= this.rHi) {
      if (this.exactLost === 0) return { is: "received" };
      const g = this.recentGaps.find(([lo, hi]) => lo <= seq && seq <= hi);
      if (g) return { is: "lost", reason: g[2], final: true, at: null };
      return this.recentGaps.length < 16 || seq >= this.recentGaps[0]![0] ? { is: "received" } : { is: "older" };
    }
    const t = this.tentativeFor(seq);
    return t ? { is: "lost", reason: t.reason, final: false, at: t.at } : { is: "in flight" };
  }

  /** Settled: nothing in flight (each seq received or judged lost). */
  settled(): boolean {
    return this.inFlight() === 0;
  }

  toState(): PairState {
    return {
      s: this.s, sentHi: this.sentHi, rHi: this.rHi, exactLost: this.exactLost, tent: this.tent, failed: this.failed,
      ackedUpTo: this.ackedUpTo, ackEff: this.ackEff, ackedCount: this.ackedCount, openGaps: this.openGaps, recentGaps: this.recentGaps,
      lastToInc: this.lastToInc, recvByInc: [...this.recvByInc], lastRecvAt: this.lastRecvAt, createdAt: this.createdAt, sameClock: this.sameClock,
    };
  }

  static fromState(id: number, from: string, fromInc: number, to: string, st: PairState, now: number): PairBook {
    const p = new PairBook(id, from, fromInc, to, st.sameClock, st.createdAt);
    Object.assign(p, {
      s: st.s, sentHi: st.sentHi, rHi: st.rHi, exactLost: st.exactLost, tent: st.tent, failed: st.failed,
      ackedUpTo: st.ackedUpTo, ackEff: st.ackEff, ackedCount: st.ackedCount, openGaps: st.openGaps, recentGaps: st.recentGaps ?? [],
      lastToInc: st.lastToInc, recvByInc: new Map(st.recvByInc), lastRecvAt: st.lastRecvAt,
    });
    // In flight when stored: the timeout clock starts again now (the server was not watching).
    if (p.s > p.tentTop()) p.marks.mark(p.s, now);
    return p;
  }

  private gap(lo: number, hi: number, reason: string): Gap {
    // Tentative verdicts on these seqs become the exact loss (already counted lost: not again).
    const tentative = Math.max(0, Math.min(hi, this.tentTop()) - this.rHi);
    this.exactLost += hi - lo + 1;
    this.openGaps.push([lo, hi]);
    this.recentGaps.push([lo, hi, reason]);
    if (this.recentGaps.length > 16) this.recentGaps.shift();
    return { lo, hi, reason, newlyLost: hi - lo + 1 - tentative };
  }

  /** Removes tentative verdicts up to `hi`; those on seqs lo..hi were wrong: answers them by verdict time. */
  private overturn(lo: number, hi: number): { at: number; n: number }[] {
    const out: { at: number; n: number }[] = [];
    let below = this.rHi;
    while (this.tent.length && below < hi) {
      const t = this.tent[0]!;
      const from = Math.max(below + 1, lo);
      const to = Math.min(t.hi, hi);
      if (to >= from) out.push({ at: t.at, n: to - from + 1 });
      if (t.hi > hi) break;
      below = t.hi;
      this.tent.shift();
    }
    return out;
  }

  private updateAcked(): void {
    const eff = Math.min(this.ackedUpTo, this.rHi);
    if (eff <= this.ackEff) return;
    let lostInside = 0;
    for (const [lo, hi] of this.openGaps) lostInside += Math.max(0, Math.min(hi, eff) - Math.max(lo, this.ackEff + 1) + 1);
    this.ackedCount += eff - this.ackEff - lostInside;
    this.ackEff = eff;
    this.openGaps = this.openGaps.filter(([, hi]) => hi > eff);
  }

  private countInc(toInc: number, n: number): void {
    this.recvByInc.set(toInc, (this.recvByInc.get(toInc) ?? 0) + n);
    if (this.recvByInc.size > MAX_INCS) this.recvByInc.delete(Math.min(...this.recvByInc.keys()));
  }

  private mergeOldest(): Moved {
    const [a, b] = this.tent as [TentativeLoss, TentativeLoss];
    const below = this.rHi;
    this.tent.shift();
    return { fromAt: a.at, toAt: b.at, n: a.hi - below };
  }
}
