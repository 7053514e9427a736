import type { MessageDTO } from "../../lib/contracts/http-replies";
import type { NodeEvent } from "../bridge/protocol";
import type { BatchHolder } from "./batch";
import type { Ledger } from "./ledger";
import type { PairBook } from "./pair";
import { type TrackedMessage, newMessage, toDTO } from "./tracked-message";

// Messages followed one by one (sent by hand through the API, and seed receptions): pending →
// sent → received → acked, or failed / lost. Their counts are the runs' (the ledger's): a tracked
// message's status follows what its pair's books say of its seq, so the two never disagree; it
// only adds what the runs do not carry: id, content, its own times. Late events for a message no
// longer in memory are resolved against the store, never made into a new message.

type Ev<E extends NodeEvent["e"]> = Extract<NodeEvent, { e: E }>;

/** A sender's own local failure (not_connected) is in its `failed` runs; any other failure only the server counts. */
function serverCounted(reason: string): boolean {
  return reason !== "sender could not send: not_connected";
}

export interface TrackedOptions {
  ledger: Ledger;
  batch: BatchHolder;
  /** A tracked message from the store (it left memory). */
  load?: (id: string) => TrackedMessage | undefined;
  recentLimit?: number;
}

export class TrackedMessages {
  private readonly live = new Map<string, TrackedMessage>();
  private readonly changed = new Set<string>();
  /** Messages whose fate may still change, by pair id. */
  private readonly open = new Map<number, Set<TrackedMessage>>();
  private readonly recentLimit: number;
  onChange: (() => void) | undefined;

  constructor(private readonly opts: TrackedOptions) {
    this.recentLimit = opts.recentLimit ?? 5000;
  }

  private get ledger(): Ledger {
    return this.opts.ledger;
  }

  /** Messages that were not finished when the server stopped (back from the store). */
  restore(ms: TrackedMessage[]): void {
    for (const m of ms) {
      this.live.set(m.id, m);
      if (m.pair !== null) this.index(m);
    }
  }

  create(id: string, from: string, to: string, content: string): TrackedMessage {
    const m = newMessage(id, from, to, content, this.ledger.now());
    this.live.set(id, m);
    this.touch(m);
    return m;
  }

  get(id: string): TrackedMessage | undefined {
    return this.live.get(id) ?? this.opts.load?.(id);
  }

  /** The message as the books say now (its status placed again against its pair's books). */
  current(id: string): MessageDTO | undefined {
    const m = this.get(id);
    if (!m) return undefined;
    const p = m.pair !== null && !m.seed ? this.ledger.pairs.byPairId(m.pair, this.ledger.now()) : undefined;
    if (p && m.status !== "pending" && m.status !== "failed") this.place(m, p);
    return toDTO(m);
  }

  /** A tracked message's own event, in a report of `node` (incarnation `inc`) already applied to the runs. */
  onEvent(node: string, inc: number, ev: NodeEvent): void {
    switch (ev.e) {
      case "sent":
        return this.sent(node, inc, ev);
      case "received":
        return ev.seed ? this.seed(node, ev) : this.received(node, ev);
      case "acked":
        return this.acked(node, inc, ev);
      case "send_failed":
        // not_connected: the node counted it in its failures (the runs' `failed`); anything else we count.
        return this.fail(this.get(ev.id) ?? this.create(ev.id, node, ev.to, ""), `sender could not send: ${ev.reason}`);
      default:
        return;
    }
  }

  /** The bridge could not hand it to its sender, or the sender never reported it: failed, counted here. */
  failById(id: string, reason: string): void {
    const m = this.get(id);
    if (m) this.fail(m, reason);
  }

  /** A node went down: the messages it was asked to send and never reported fail. */
  nodeDown(node: string, reason: string): void {
    for (const m of this.live.values()) if (m.status === "pending" && m.from === node) this.fail(m, `sender down (${reason})`);
  }

  // ---- what the pairs' books say ----

  pairLost(p: PairBook, lo: number, hi: number, reason: string, final: boolean): void {
    for (const m of this.open.get(p.id) ?? []) {
      if (m.seq! < lo || m.seq! > hi || m.status === "received" || m.status === "acked") continue;
      Object.assign(m, { status: "lost", reason, final });
      if (final) this.open.get(p.id)!.delete(m);
      this.touch(m);
    }
  }

  /** Places the pair's open tracked messages in lo..hi; their seqs (the rest of the run is bulk). */
  pairReceived(p: PairBook, lo: number, hi: number): Set<number> {
    const seqs = new Set<number>();
    for (const m of this.open.get(p.id) ?? []) {
      if (m.seq! < lo || m.seq! > hi) continue;
      seqs.add(m.seq!);
      this.place(m, p);
    }
    return seqs;
  }

  pairAcked(p: PairBook): void {
    for (const m of this.open.get(p.id) ?? []) if (m.seq! <= p.ackedUpTo) this.place(m, p);
  }

  /** Pending messages never reported sent within the timeout fail (only while verdicts are made). */
  sweep(): void {
    const now = this.ledger.now();
    const timeout = this.ledger.lossTimeoutMs;
    if (this.ledger.verdictsAllowed()) {
      for (const m of this.live.values()) {
        if (m.status === "pending" && now - m.createdAt > timeout) this.fail(m, "timeout: the sender never reported sending it");
      }
    }
    this.trim(now - 2 * timeout);
  }

  /** Messages changed since the last call (newest `limit`), and how many more changed. */
  drainChanged(limit = 300): { messages: MessageDTO[]; dropped: number } {
    const ids = [...this.changed];
    this.changed.clear();
    const keep = ids.slice(-limit);
    const messages: MessageDTO[] = [];
    for (const id of keep) {
      const m = this.live.get(id);
      if (m) messages.push(toDTO(m));
    }
    return { messages, dropped: ids.length - keep.length };
  }

  // ---- events ----

  private sent(node: string, inc: number, ev: Ev<"sent">): void {
    const m = this.get(ev.id) ?? this.create(ev.id, node, ev.to, ev.content);
    m.sentAt ??= ev.t / 1000;
    this.unfail(m);
    this.placeSeq(m, node, inc, ev.to, ev.seq);
  }

  private received(node: string, ev: Ev<"received">): void {
    if (ev.fromInc === undefined || ev.seq === undefined) return;
    const m = this.get(ev.id) ?? this.create(ev.id, ev.from, node, ev.content);
    if (ev.t0 != null) m.sentAt ??= ev.t0 / 1000;
    m.receivedAt = ev.t / 1000;
    this.unfail(m);
    this.placeSeq(m, ev.from, ev.fromInc, node, ev.seq);
  }

  private acked(node: string, inc: number, ev: Ev<"acked">): void {
    const m = this.get(ev.id);
    if (!m) return; // an ack for a message this dashboard never saw: the runs count it
    m.ackedAt = ev.t / 1000;
    m.sentAt ??= ev.t0 / 1000;
    m.receivedAt ??= ev.t1 / 1000;
    this.placeSeq(m, node, inc, ev.to, ev.seq);
  }

  private seed(node: string, ev: Ev<"received">): void {
    const m = this.create(ev.id || `seed-${node}-${ev.t}`, ev.from, node, ev.content);
    Object.assign(m, { seed: true, status: "received", receivedAt: ev.t / 1000, final: true });
    this.touch(m);
  }

  private fail(m: TrackedMessage, reason: string): void {
    if (m.status !== "pending") return;
    if (serverCounted(reason)) this.ledger.tally.addFailed(1);
    Object.assign(m, { status: "failed", reason });
    this.touch(m);
  }

  /** A late report that it was sent after all: the failure it was counted as is taken back. */
  private unfail(m: TrackedMessage): void {
    if (m.status !== "failed") return;
    if (serverCounted(m.reason ?? "")) this.ledger.tally.addFailed(-1);
    Object.assign(m, { status: "pending", reason: null });
  }

  private placeSeq(m: TrackedMessage, from: string, fromInc: number, to: string, seq: number): void {
    m.fromInc = fromInc;
    m.seq = seq;
    const p = this.ledger.pairs.find(from, fromInc, to) ?? this.ledger.pairs.get(from, fromInc, to, this.ledger.now()).pair;
    m.pair = p.id;
    this.index(m);
    this.place(m, p);
  }

  /** The status the pair's books give the message's seq, with the times its own events gave. */
  private place(m: TrackedMessage, p: PairBook): void {
    const f = this.ledger.fate(p, m.seq!);
    if (f.is === "received" || m.receivedAt !== null) {
      Object.assign(m, { status: m.ackedAt !== null || m.seq! <= p.ackedUpTo ? "acked" : "received", reason: null, final: false });
    } else if (f.is === "lost") Object.assign(m, { status: "lost", reason: f.reason, final: f.final });
    else Object.assign(m, { status: "sent", reason: null });
    this.latency(m, p);
    if (m.status === "acked" || m.final) this.open.get(p.id)?.delete(m);
    this.touch(m);
  }

  private latency(m: TrackedMessage, p: PairBook): void {
    if (m.latencyMs !== null || m.sentAt === null) return;
    let ms: number;
    if (p.sameClock && m.receivedAt !== null) ms = m.receivedAt - m.sentAt;
    else if (!p.sameClock && m.ackedAt !== null) ms = (m.ackedAt - m.sentAt) / 2;
    else return;
    m.latencyKind = p.sameClock ? "one-way" : "half-rtt";
    m.latencyMs = Math.max(0, Math.round(ms * 1000) / 1000);
  }

  private index(m: TrackedMessage): void {
    if (m.status === "acked" || m.final || m.seed) return;
    let s = this.open.get(m.pair!);
    if (!s) this.open.set(m.pair!, (s = new Set()));
    s.add(m);
  }

  private touch(m: TrackedMessage): void {
    this.live.delete(m.id); // re-inserted last: oldest changed first
    this.live.set(m.id, m);
    this.changed.add(m.id);
    this.opts.batch.current.message(m);
    this.onChange?.();
  }

  /** Keeps the newest `recentLimit` in memory; unfinished ones stay (the store has every one). */
  private trim(staleBefore: number): void {
    let excess = this.live.size - this.recentLimit;
    for (const [id, m] of this.live) {
      if (excess <= 0) break;
      const done = m.status === "acked" || m.status === "failed" || m.final || m.seed || m.createdAt < staleBefore;
      if (!done || m.status === "pending") continue;
      this.live.delete(id);
      if (m.pair !== null) this.open.get(m.pair)?.delete(m);
      excess--;
    }
    for (const [k, s] of this.open) if (s.size === 0) this.open.delete(k);
  }
}
