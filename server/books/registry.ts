import { PairBook, pairKey } from "./pair";
import type { PairState } from "./pair-state";

// Where the ledger finds a pair or a node incarnation: in memory, else in the store (a pair no
// longer in memory is loaded back, never made anew: its books go on), else new. Memory is
// bounded: pairs whose sender incarnation is gone and whose books are settled leave it.

/** What the store can tell the ledger about pairs and incarnations it no longer holds in memory. */
export interface BooksLoader {
  pair(from: string, fromInc: number, to: string): { id: number; state: PairState } | undefined;
  pairById(id: number): { id: number; from: string; fromInc: number; to: string; state: PairState } | undefined;
  /** Every stored pair of one sender incarnation (loaded when it comes up: its counters list them all). */
  pairsOfSender(from: string, fromInc: number): { id: number; to: string; state: PairState }[];
  /** The last rseq stored for a node incarnation. */
  applied(node: string, inc: number): number | undefined;
  /** The reason of the stored exact loss covering seq, if any. */
  lossAt(pair: number, seq: number): string | undefined;
  maxPairId(): number;
}

export const noLoader: BooksLoader = {
  pair: () => undefined,
  pairById: () => undefined,
  pairsOfSender: () => [],
  applied: () => undefined,
  lossAt: () => undefined,
  maxPairId: () => 0,
};

export function senderKey(node: string, inc: number): string {
  return `${node}\u0000${inc}`;
}

export class PairRegistry {
  private readonly byKey = new Map<string, PairBook>();
  private readonly byId = new Map<number, PairBook>();
  private readonly bySender = new Map<string, Set<PairBook>>();
  private readonly byReceiver = new Map<string, Set<PairBook>>();
  /** Pairs with something in flight (the timeout sweep looks at these only). */
  readonly open = new Set<PairBook>();
  private nextId: number;

  constructor(
    private readonly loader: BooksLoader,
    private readonly sameClock: (a: string, b: string) => boolean,
  ) {
    this.nextId = loader.maxPairId() + 1;
  }

  /** The pair, from memory or the store; a new one when neither has it (`isNew` tells). */
  get(from: string, fromInc: number, to: string, now: number): { pair: PairBook; isNew: boolean } {
    const known = this.byKey.get(pairKey(from, fromInc, to));
    if (known) return { pair: known, isNew: false };
    const stored = this.loader.pair(from, fromInc, to);
    if (stored) return { pair: this.add(PairBook.fromState(stored.id, from, fromInc, to, stored.state, now)), isNew: false };
    return { pair: this.add(new PairBook(this.nextId++, from, fromInc, to, this.sameClock(from, to), now)), isNew: true };
  }

  /** In memory only (reconciliation does not load what settled long ago). */
  find(from: string, fromInc: number, to: string): PairBook | undefined {
    return this.byKey.get(pairKey(from, fromInc, to));
  }

  /** By id, from memory or the store (GET /api/messages/p<id>.<seq>). */
  byPairId(id: number, now: number): PairBook | undefined {
    const known = this.byId.get(id);
    if (known) return known;
    const stored = this.loader.pairById(id);
    return stored ? this.add(PairBook.fromState(stored.id, stored.from, stored.fromInc, stored.to, stored.state, now)) : undefined;
  }

  /** Brings every stored pair of a sender incarnation back into memory. */
  loadSender(from: string, fromInc: number, now: number): void {
    for (const s of this.loader.pairsOfSender(from, fromInc)) {
      if (!this.byKey.has(pairKey(from, fromInc, s.to))) this.add(PairBook.fromState(s.id, from, fromInc, s.to, s.state, now));
    }
  }

  ofSender(node: string, inc: number): ReadonlySet<PairBook> {
    return this.bySender.get(senderKey(node, inc)) ?? new Set();
  }

  toReceiver(node: string): ReadonlySet<PairBook> {
    return this.byReceiver.get(node) ?? new Set();
  }

  all(): IterableIterator<PairBook> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Keeps `open` up to date after a change of the pair. */
  touched(p: PairBook): void {
    if (p.inFlight() > 0) this.open.add(p);
    else this.open.delete(p);
  }

  /** Forgets the pairs `gone` says may go (settled books of an incarnation that is gone). */
  evict(gone: (p: PairBook) => boolean): number {
    let n = 0;
    for (const p of this.byKey.values()) {
      if (!p.settled() || !gone(p)) continue;
      this.byKey.delete(p.key);
      this.byId.delete(p.id);
      this.bySender.get(senderKey(p.from, p.fromInc))?.delete(p);
      this.byReceiver.get(p.to)?.delete(p);
      this.open.delete(p);
      n++;
    }
    for (const [k, s] of this.bySender) if (s.size === 0) this.bySender.delete(k);
    for (const [k, s] of this.byReceiver) if (s.size === 0) this.byReceiver.delete(k);
    return n;
  }

  private add(p: PairBook): PairBook {
    this.byKey.set(p.key, p);
    this.byId.set(p.id, p);
    const sk = senderKey(p.from, p.fromInc);
    if (!this.bySender.has(sk)) this.bySender.set(sk, new Set());
    this.bySender.get(sk)!.add(p);
    if (!this.byReceiver.has(p.to)) this.byReceiver.set(p.to, new Set());
    this.byReceiver.get(p.to)!.add(p);
    this.touched(p);
    return p;
  }
}
