import type { MessageDTO, PairProgressDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { type NodeEvent, type ReportFrame, type StatsFrame, nodeEvent } from "../bridge/protocol";
import type { BatchHolder } from "./batch";
import { type RunReader, bulkMessage, noRuns, parseBulkId } from "./bulk-message";
import { Ledger, type LedgerOptions } from "./ledger";
import type { PairBook } from "./pair";
import { Reconciler } from "./reconcile";
import type { BooksLoader } from "./registry";
import { Sampler, progressOf } from "./sampler";
import type { TallyRows } from "./tally";
import { TrackedMessages } from "./tracked";
import type { TrackedMessage } from "./tracked-message";

// The dashboard's books (docs/ACCOUNTING.md): the one owner of the rules of what counts as sent,
// received and lost. The ledger folds the nodes' runs; tracked messages stay individual and
// follow it; the reconciler checks it against the nodes' own counters; the sampler feeds the
// timeline. The frame router, the store, the hub and the API all go through this.

export interface BooksOptions {
  lossTimeoutMs: number;
  sameClock: (a: string, b: string) => boolean;
  batch: BatchHolder;
  loader?: BooksLoader;
  loadTracked?: (id: string) => TrackedMessage | undefined;
  runs?: RunReader;
  now?: () => number;
  /** Tells a node its reports up to `upto` are stored (through the bridge). */
  commit?: (c: { node: string; inc: number; upto: number }) => void;
  /** A traffic run's bulk sends in one report, and a generator's end. */
  onRunSent?: (run: string, node: string, n: number) => void;
  onRunDone?: (run: string, node: string, sent: number) => void;
  warn?: (msg: string) => void;
  samplesPerSecond?: number;
  cutReason?: LedgerOptions["cutReason"];
}

export type ChangedBatch = { messages: MessageDTO[]; dropped: number; runs?: PairProgressDTO[] };

export class Books {
  readonly ledger: Ledger;
  readonly tracked: TrackedMessages;
  readonly reconciler = new Reconciler();
  readonly sampler: Sampler;
  private changeListener: (() => void) | undefined;
  /** The tracked messages of the received run being applied (the ledger says `received`, then `run`). */
  private trackedInRun: Set<number> = new Set();
  /** The tracked receptions the report being applied names, by sender and incarnation. */
  private announced = NONE_ANNOUNCED;

  constructor(private readonly opts: BooksOptions) {
    this.ledger = new Ledger(opts);
    this.tracked = new TrackedMessages({ ledger: this.ledger, batch: opts.batch, load: opts.loadTracked });
    this.sampler = new Sampler({ now: opts.now, perSecond: opts.samplesPerSecond });
    this.ledger.listener = {
      lost: (p, lo, hi, reason, final) => this.tracked.pairLost(p, lo, hi, reason, final),
      received: (p, lo, hi) => {
        this.trackedInRun = this.tracked.pairReceived(p, lo, hi);
      },
      acked: (p) => this.tracked.pairAcked(p),
      run: (p, seq, t1, lat, n) => this.sampleRun(p, seq, t1, lat, n),
      changed: (p) => this.sampler.onPairChanged(p),
    };
  }

  /**
   * A received run offered to the timeline's sample: only its bulk part, named by its last bulk
   * seq (a tracked message of the run shows as itself, never twice).
   */
  private sampleRun(p: PairBook, seq: number, t1: number, lat: number | null, n: number): void {
    const tracked = this.trackedInRun;
    this.trackedInRun = new Set();
    // The receiver's report may name a tracked message before its sender's report gave its seq.
    for (const q of this.announced.get(`${p.from}\u0000${p.fromInc}`) ?? []) if (q <= seq && q > seq - n) tracked.add(q);
    if (n - tracked.size <= 0) return;
    let last = seq;
    while (tracked.has(last)) last--;
    this.sampler.onRun(p, last, t1, last === seq ? lat : null, n - tracked.size);
  }

  /** Called when something the socket shows changed (the hub schedules a push). */
  set onChange(fn: (() => void) | undefined) {
    this.changeListener = fn;
    this.tracked.onChange = fn;
  }

  get onChange(): (() => void) | undefined {
    return this.changeListener;
  }

  /** The counters and unfinished tracked messages from the store, after a restart. */
  restore(rows: TallyRows | null, unfinished: TrackedMessage[]): void {
    if (rows) this.ledger.tally.restore(rows);
    this.tracked.restore(unfinished);
  }

  // ---- frames ----

  onReport(f: ReportFrame): void {
    // Parsed once: the receptions they name are needed while the runs are applied, the rest after.
    const events = f.events.map((raw) => ({ raw, ev: nodeEvent.safeParse(raw) }));
    this.announced = announcedReceptions(events.flatMap(({ ev }) => (ev.success ? [ev.data] : [])));
    const outcome = this.ledger.applyReport(f);
    this.announced = NONE_ANNOUNCED;
    if (!outcome.applied) {
      // Sent again after a bridge restart: already applied. If already stored, say so again.
      if (outcome.storedUpTo > 0) this.opts.commit?.({ node: f.node, inc: f.inc, upto: outcome.storedUpTo });
      return;
    }
    if (outcome.missing > 0) this.opts.warn?.(`${f.node}: ${outcome.missing} report(s) before rseq ${f.rseq} never arrived`);
    let seeds = 0;
    for (const { raw, ev } of events) {
      if (!ev.success) {
        this.opts.warn?.(`unexpected event from ${f.node}: ${JSON.stringify(raw).slice(0, 200)}`);
        continue;
      }
      if (ev.data.e === "received" && ev.data.seed) seeds += this.seedReceived(f.node, ev.data);
      this.event(f.node, f.inc, ev.data);
    }
    // Seed receptions whose events the node had to leave out: counted, sender unknown.
    if (f.seed > seeds) {
      this.ledger.tally.seed(null, f.node, f.seed - seeds);
      this.seedSeries(this.ledger.now(), f.seed - seeds);
    }
    this.opts.batch.current.counters = true;
    if (this.sampler.pending()) this.changeListener?.();
  }

  onStats(f: StatsFrame): void {
    this.reconciler.onStats(f, this.ledger);
  }

  onNodeUp(node: string, inc: number | null): void {
    const stored = this.ledger.nodeUp(node, inc);
    if (inc !== null && stored > 0) this.opts.commit?.({ node, inc, upto: stored });
  }

  onNodeDown(node: string, reason: string): void {
    this.ledger.nodeDown(node, reason);
    this.tracked.nodeDown(node, reason);
    this.reconciler.forget(node);
  }

  onLinks(node: string, links: string[]): void {
    this.ledger.onLinks(node, links);
  }

  setBridgeUp(up: boolean): void {
    this.ledger.setBridgeUp(up);
    if (!up) this.reconciler.clear();
  }

  setStoreOk(ok: boolean): void {
    this.ledger.setStoreOk(ok);
  }

  /** The store committed a batch: tell each node which of its reports it may drop. */
  committed(rows: Iterable<{ node: string; inc: number; rseq: number }>): void {
    for (const c of this.ledger.committed(rows)) this.opts.commit?.(c);
  }

  // ---- the API's questions ----

  create(id: string, from: string, to: string, content: string): TrackedMessage {
    return this.tracked.create(id, from, to, content);
  }

  fail(id: string, reason: string): void {
    this.tracked.failById(id, reason);
  }

  /** Any message: a tracked one by its id, a bulk one by `p<pair>.<seq>`. */
  message(id: string): MessageDTO | undefined {
    const bulk = parseBulkId(id);
    if (!bulk) return this.tracked.current(id);
    const p = this.ledger.pairs.byPairId(bulk.pair, this.ledger.now());
    return p ? bulkMessage(this.ledger, p, bulk.seq, this.opts.runs ?? noRuns) : undefined;
  }

  /** Messages sent and received so far: it moves while traffic flows. */
  get traffic(): number {
    const t = this.ledger.tally.totals;
    return t.sent + t.received;
  }

  /** The counters (the store's health is the app's to add). */
  stats(): Omit<StatsDTO, "store"> {
    const t = this.ledger.tally;
    const perNode: StatsDTO["perNode"] = {};
    for (const [n, c] of t.perNode) perNode[n] = { ...c };
    const l = this.ledger.latencies;
    return {
      ...t.totals, failed: t.failed, perNode,
      latencyMs: l.all.percentiles(),
      latencyByKind: { "one-way": l.byKind["one-way"].percentiles(), "half-rtt": l.byKind["half-rtt"].percentiles() },
      reconciled: this.reconciler.summary(),
      at: this.ledger.now(),
    };
  }

  /** The books of the pairs in memory that carried traffic, the latest to receive first. */
  recentPairs(limit: number): PairProgressDTO[] {
    const moved = [...this.ledger.pairs.all()].filter((p) => p.counts().sent > 0);
    return moved.sort((a, b) => b.lastRecvAt - a.lastRecvAt).slice(0, limit).map(progressOf);
  }

  /** Changed tracked messages and the samples since the last call, and now and then the pairs that moved. */
  drainChanged(limit = 300): ChangedBatch {
    const { messages, dropped } = this.tracked.drainChanged(limit);
    const { samples, runs } = this.sampler.drain();
    return { messages: [...messages, ...samples], dropped, ...(runs ? { runs } : {}) };
  }

  sweep(): void {
    this.ledger.sweep();
    this.tracked.sweep();
  }

  /** The fault work's hook: judges lost what is in flight on the pairs `which` picks (`node_frozen`, `partition`). */
  judge(which: (p: PairBook) => boolean, reason: string): number {
    return this.ledger.judge(which, reason);
  }

  sentBy(node: string): number {
    return this.ledger.tally.sentBy(node);
  }

  inboundOf(node: string): number {
    return this.ledger.tally.inboundOf(node);
  }

  private event(node: string, inc: number, ev: NodeEvent): void {
    if (ev.e === "traffic_sent") this.opts.onRunSent?.(ev.run, node, ev.sent);
    else if (ev.e === "traffic_done") this.opts.onRunDone?.(ev.run, node, ev.sent);
    else this.tracked.onEvent(node, inc, ev);
  }

  private seedReceived(node: string, ev: Extract<NodeEvent, { e: "received" }>): number {
    this.ledger.tally.seed(ev.from, node, 1);
    this.seedSeries(ev.t / 1000, 1);
    return 1;
  }

  private seedSeries(atMs: number, n: number): void {
    this.opts.batch.current.series.add(atMs, "sent", n);
    this.opts.batch.current.series.add(atMs, "received", n);
  }
}

const NONE_ANNOUNCED: ReadonlyMap<string, number[]> = new Map();

/** The seqs of the tracked (non-seed) receptions a report's events name, by `from\0fromInc`. */
function announcedReceptions(events: NodeEvent[]): ReadonlyMap<string, number[]> {
  let out: Map<string, number[]> | null = null;
  for (const ev of events) {
    if (ev.e !== "received" || ev.seed) continue;
    const { from, fromInc, seq } = ev;
    if (fromInc === undefined || seq === undefined) continue;
    out ??= new Map();
    const key = `${from}\u0000${fromInc}`;
    out.set(key, [...(out.get(key) ?? []), seq]);
  }
  return out ?? NONE_ANNOUNCED;
}
