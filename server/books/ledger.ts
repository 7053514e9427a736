import type { AckedRun, RecvRun, ReportFrame, SentRun } from "../bridge/protocol";
import type { BatchHolder } from "./batch";
import { diffCounts } from "./counts";
import { Latencies } from "./latency";
import { LinkWatch } from "./links";
import { NodeBooks } from "./node-books";
import type { Fate, GapReason, PairBook } from "./pair";
import { type BooksLoader, PairRegistry, noLoader } from "./registry";
import { type TimedRun, attributeRun, forEachOneWay, lastVarint, withinOneSecond } from "./run-times";
import { Tally } from "./tally";

// The ledger: folds the nodes' reports into the pairs' books, exactly once per report (by rseq
// per node incarnation), and judges losses: exact ones from gaps, tentative ones on the server's
// own receipt clock (a timeout) or on what the bridge saw (a receiver down). No verdict is made
// for time the bridge was down or the store refused writes: the nodes were buffering, not gone.
// Every change of a pair reaches the tally as a delta of its counts, once.

export interface LedgerOptions {
  lossTimeoutMs: number;
  sameClock: (a: string, b: string) => boolean;
  batch: BatchHolder;
  loader?: BooksLoader;
  now?: () => number;
  /** Why a gap between from and to since `since` happened, when a fault explains it (`node_frozen`). */
  cutReason?: (from: string, to: string, since: number) => string | null;
}

/** What the rest of the books hear about (tracked messages, the timeline's samples). */
export interface LedgerListener {
  /** Seqs lo..hi of the pair were judged lost (`final`: a gap; else tentative). */
  lost?(p: PairBook, lo: number, hi: number, reason: string, final: boolean): void;
  /** Seqs lo..hi were reported received. */
  received?(p: PairBook, lo: number, hi: number): void;
  acked?(p: PairBook): void;
  /** A received run: the last message's seq, reception time (µs) and latency (µs, null without detail). */
  run?(p: PairBook, seq: number, t1: number, latUs: number | null, n: number): void;
  changed?(p: PairBook): void;
}

export type ReportOutcome = { applied: true; missing: number } | { applied: false; storedUpTo: number };

export class Ledger {
  readonly tally = new Tally();
  readonly latencies = new Latencies();
  readonly links = new LinkWatch();
  readonly pairs: PairRegistry;
  readonly nodes: NodeBooks;
  listener: LedgerListener = {};
  private bridgeUp = false;
  private storeOk = true;
  private resumedAt: number;
  private sweeps = 0;
  private readonly loader: BooksLoader;
  readonly now: () => number;

  constructor(private readonly opts: LedgerOptions) {
    this.now = opts.now ?? Date.now;
    this.loader = opts.loader ?? noLoader;
    this.pairs = new PairRegistry(this.loader, opts.sameClock);
    this.nodes = new NodeBooks(this.loader, this.now);
    this.resumedAt = this.now();
  }

  get lossTimeoutMs(): number {
    return this.opts.lossTimeoutMs;
  }

  /** Verdicts are made only while the bridge is up and the store takes writes. */
  verdictsAllowed(): boolean {
    return this.bridgeUp && this.storeOk;
  }

  // ---- reports ----

  /** Applies a report once: one whose rseq was applied before for its node incarnation is left alone. */
  applyReport(f: ReportFrame): ReportOutcome {
    const last = this.lastApplied(f.node, f.inc);
    if (f.rseq <= last) return { applied: false, storedUpTo: this.storedUpTo(f.node, f.inc) };
    const now = this.now();
    this.nodes.seen(f.node, f.inc, now);
    for (const r of f.sent) this.sentRun(f.node, f.inc, r, now);
    for (const r of f.recv) this.recvRun(f.node, f.inc, r, now);
    for (const a of f.acked) this.ack(f.node, f.inc, a, now);
    for (const [to, n] of f.failed) {
      const p = this.pair(f.node, f.inc, to, now);
      p.failed += n;
      this.tally.addFailed(n);
      this.batch.pairs.add(p);
      this.batch.counters = true;
    }
    this.nodes.applied(f.node, f.inc, f.rseq);
    this.batch.appliedReport(f.node, f.inc, f.rseq);
    return { applied: true, missing: last > 0 ? f.rseq - last - 1 : 0 };
  }

  lastApplied(node: string, inc: number): number {
    return this.nodes.lastApplied(node, inc);
  }

  /** What the books say of one seq of a pair, asking the store about gaps older than memory holds. */
  fate(p: PairBook, seq: number): Fate {
    const f = p.fate(seq);
    if (f.is !== "older") return f;
    const reason = this.loader.lossAt(p.id, seq);
    return reason === undefined ? { is: "received" } : { is: "lost", reason, final: true, at: null };
  }

  storedUpTo(node: string, inc: number): number {
    return this.nodes.storedUpTo(node, inc);
  }

  /** The store committed these reports: answers the commits to send (the nodes may drop them). */
  committed(rows: Iterable<{ node: string; inc: number; rseq: number }>): { node: string; inc: number; upto: number }[] {
    return this.nodes.committed(rows);
  }

  private sentRun(node: string, inc: number, [to, seq0, n, t0First, t0Last, d]: SentRun, now: number): void {
    const p = this.pair(node, inc, to, now);
    // Decoded only where a run spans seconds (attributeRun() reads its times then).
    const run: TimedRun = { first: t0First, last: t0Last, deltas: withinOneSecond(t0First, t0Last) ? null : d, n };
    this.change(p, () => {
      const grown = p.applySent(seq0, n, now);
      if (grown > 0) attributeRun(this.series, "sent", run, n - grown);
      const down = this.nodes.get(to);
      // Reported after its receiver's nodedown: it cannot arrive (judged tentatively all the same).
      if (grown > 0 && down && down.down !== null && this.bridgeUp) this.verdict(p, `receiver_down (${down.down ?? "unknown"})`, now);
    });
    this.batch.sent.push({ pair: p.id, seq0, n, t0First, t0Last, deltas: d });
  }

  private recvRun(node: string, inc: number, [from, fromInc, seq0, n, t1First, t1Last, d, l]: RecvRun, now: number): void {
    const p = this.pair(from, fromInc, node, now);
    const run: TimedRun = { first: t1First, last: t1Last, deltas: withinOneSecond(t1First, t1Last) ? null : d, n };
    const lat = p.sameClock ? l : null;
    this.change(p, () => {
      const e = p.applyRecv(inc, seq0, n, now, this.gapReason(p));
      if (e.gap) {
        this.series.add(now, "lost", e.gap.newlyLost);
        this.batch.losses.push({ pair: p.id, lo: e.gap.lo, hi: e.gap.hi, reason: e.gap.reason, at: now });
        this.listener.lost?.(p, e.gap.lo, e.gap.hi, e.gap.reason, true);
      }
      for (const o of e.overturned) this.series.add(o.at, "lost", -o.n);
      if (e.sentGrown > 0) this.series.add(t1First / 1000, "sent", e.sentGrown);
      if (e.received > 0) {
        attributeRun(this.series, "received", run, n - e.received);
        if (p.sameClock && lat) {
          forEachOneWay(run, lat, n - e.received, (t1, us) => {
            this.latencies.add("one-way", us / 1000);
            this.series.sample(t1 / 1000, us);
          });
        }
        this.listener.received?.(p, seq0 + n - e.received, seq0 + n - 1);
        this.listener.run?.(p, seq0 + n - 1, t1Last, lat ? lastVarint(lat, n) : null, e.received);
      }
    });
    this.batch.recv.push({ pair: p.id, toInc: inc, seq0, n, t1First, t1Last, deltas: d, lat: l });
  }

  private ack(node: string, inc: number, [to, upTo, t2, t0]: AckedRun, now: number): void {
    const p = this.pair(node, inc, to, now);
    this.change(p, () => {
      if (p.applyAck(upTo)) this.listener.acked?.(p);
    });
    if (!p.sameClock && t2 >= t0) {
      const us = (t2 - t0) / 2;
      this.latencies.add("half-rtt", us / 1000);
      this.series.sample(t2 / 1000, us);
    }
    this.batch.acks.push({ pair: p.id, upTo, t2, t0 });
  }

  // ---- what the bridge sees ----

  /** A node incarnation is up (subscribed); answers the rseq already stored for it (to commit again). */
  nodeUp(node: string, inc: number | null): number {
    const now = this.now();
    if (this.nodes.up(node, inc, now)) this.pairs.loadSender(node, inc!, now);
    return inc === null ? 0 : (this.lastApplied(node, inc), this.storedUpTo(node, inc));
  }

  /** A node went down: what was in flight to it is judged lost (`receiver_down`), tentatively. */
  nodeDown(node: string, reason: string): void {
    const now = this.now();
    this.nodes.down(node, reason, now);
    this.links.forget(node);
    if (!this.bridgeUp) return;
    for (const p of this.pairs.toReceiver(node)) if (p.inFlight() > 0) this.change(p, () => this.verdict(p, `receiver_down (${reason})`, now));
  }

  onLinks(node: string, links: string[]): string[] {
    return this.links.onLinks(node, links, this.now());
  }

  /**
   * The hook for verdicts from outside (the faults work: `node_frozen`, `partition`): every pair
   * with something in flight that `which` picks is judged lost with `reason`, tentatively.
   */
  judge(which: (p: PairBook) => boolean, reason: string): number {
    if (!this.verdictsAllowed()) return 0;
    const now = this.now();
    let n = 0;
    for (const p of [...this.pairs.open]) if (which(p)) this.change(p, () => (n += this.verdict(p, reason, now)));
    return n;
  }

  setBridgeUp(up: boolean): void {
    this.resume(up && !this.bridgeUp && this.storeOk);
    this.bridgeUp = up;
  }

  setStoreOk(ok: boolean): void {
    this.resume(ok && !this.storeOk && this.bridgeUp);
    this.storeOk = ok;
  }

  /** Timeouts (every 250 ms or so), and now and then the bounds on memory. */
  sweep(): void {
    const now = this.now();
    if (this.verdictsAllowed()) {
      const timeout = `timeout (not received within ${this.opts.lossTimeoutMs} ms)`;
      for (const p of [...this.pairs.open]) {
        // The receiver runs as another incarnation than the one that last received from this
        // pair: what the old one did not report, it lost with the restart (a sender's report can
        // come after the receiver is back up, too late for a receiver_down verdict).
        const current = this.nodes.get(p.to)?.current ?? null;
        const restarted = p.lastToInc !== 0 && current !== null && current !== p.lastToInc;
        // Or a fault (a partition, a freeze) on its nodes explains it.
        const reason = restarted ? "receiver restarted" : (this.opts.cutReason?.(p.from, p.to, p.lastRecvAt) ?? timeout);
        this.change(p, () => {
          const { lost, moved } = p.judgeTimeout(now, this.opts.lossTimeoutMs, this.resumedAt, reason);
          this.counted(p, lost, moved, reason, now);
        });
      }
    }
    if (++this.sweeps % 20 === 0) this.bound(now);
  }

  // ---- internals ----

  private get batch() {
    return this.opts.batch.current;
  }

  private get series() {
    return this.opts.batch.current.series;
  }

  private pair(from: string, fromInc: number, to: string, now: number): PairBook {
    const { pair, isNew } = this.pairs.get(from, fromInc, to, now);
    if (isNew) this.batch.pairs.add(pair);
    return pair;
  }

  /** Runs `fn` on the pair and adds the change of its counts to the tally, once. */
  private change(p: PairBook, fn: () => void): void {
    const before = p.counts();
    fn();
    const delta = diffCounts(p.counts(), before);
    this.tally.add(p.from, p.to, delta);
    this.batch.pairs.add(p);
    this.batch.counters = true;
    this.pairs.touched(p);
    this.listener.changed?.(p);
  }

  private verdict(p: PairBook, reason: string, now: number): number {
    const { lost, moved } = p.judge(reason, now);
    this.counted(p, lost, moved, reason, now);
    return lost;
  }

  private counted(p: PairBook, lost: number, moved: { fromAt: number; toAt: number; n: number } | null, reason: string, now: number): void {
    if (moved) {
      this.series.add(moved.fromAt, "lost", -moved.n);
      this.series.add(moved.toAt, "lost", moved.n);
    }
    if (lost === 0) return;
    this.series.add(now, "lost", lost);
    this.listener.lost?.(p, p.tentTop() - lost + 1, p.tentTop(), reason, false);
  }

  private gapReason(p: PairBook): GapReason {
    return ({ lastToInc, toInc, since, createdAt }) => {
      if (lastToInc !== 0 && toInc !== lastToInc) return "receiver restarted";
      const seen = this.nodes.get(p.to)?.seenAt;
      if (lastToInc === 0 && seen && [...seen.keys()].some((i) => i < toInc) && (seen.get(toInc) ?? 0) >= createdAt) return "receiver restarted";
      return this.opts.cutReason?.(p.from, p.to, since) ?? (this.links.cutSince(p.from, p.to, since) ? "partition" : "connection lost");
    };
  }

  private resume(resuming: boolean): void {
    if (resuming) this.resumedAt = this.now();
  }

  /** Forgets settled pairs of incarnations gone for a while, rows of old names, old incarnations and old link cuts. */
  private bound(now: number): void {
    const quiet = now - 2 * this.opts.lossTimeoutMs;
    const receiving = (name: string) => this.pairs.toReceiver(name).size > 0;
    this.pairs.evict((p) => this.nodes.gone(p.from, p.fromInc, quiet) && p.lastRecvAt < quiet);
    this.tally.compact((name) => this.nodes.get(name)?.up === true || receiving(name));
    this.nodes.prune(quiet, receiving);
    this.links.prune(now - 3_600_000);
  }
}
