import type { MessageDTO, NodeCountsDTO, StatsDTO } from "../../lib/contracts/http-replies";
import type { NodeEvent } from "../bridge/protocol";
import { Counters } from "./counters";
import { LatencyWindow } from "./latency";
import { type TrackedMessage, newMessage, toDTO } from "./message";

export type { TrackedMessage } from "./message";

/**
 * Every message's life: pending (asked the sender) → sent (seen at the sender) → received (seen
 * at the receiver) → acked (the ack seen back at the sender), or lost (sent, not seen received:
 * receiver down, timeout) or failed (never left the sender). Events may arrive out of order
 * (the receiver's batch can overtake the sender's), so each message keeps which counters it has
 * entered, and counts only once. A message is shown received only when a receiver reported it.
 *
 * Invariant, in total and per sender: sent = received + lost + inFlight.
 */

export interface Clock {
  now(): number; // ms epoch
}

const systemClock: Clock = { now: () => Date.now() };

export interface TrackerOptions {
  lossTimeoutMs: number;
  clock?: Clock;
  /** Finished messages kept in memory (the store keeps all of them). */
  recentLimit?: number;
  /**
   * Whether two nodes read the same clock (same host). When not, the latency shown is half the
   * acked round trip, measured on the sender's clock alone.
   */
  sameClock?: (a: string, b: string) => boolean;
  /** Called once per message when it enters the sent count (traffic runs follow their progress). */
  onSent?: (m: TrackedMessage) => void;
}

export class MessageTracker {
  private readonly live = new Map<string, TrackedMessage>();
  private readonly changed = new Set<string>();
  private readonly books = new Counters();
  private readonly latency = new LatencyWindow(4096);
  private readonly clock: Clock;
  private readonly recentLimit: number;
  private seedSeq = 0;
  /** Called when a message changed (the hub schedules a push). */
  onChange: (() => void) | undefined;

  constructor(private readonly opts: TrackerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.recentLimit = opts.recentLimit ?? 5000;
  }

  /** Counts restored from the store after a restart. */
  restore(totals: NodeCountsDTO & { failed: number }, perNode: Record<string, NodeCountsDTO>, inbound: Record<string, number>): void {
    this.books.restore(totals, perNode, inbound);
  }

  /** The server asked `from` to send: the message exists, but is not sent until the sender says so. */
  create(id: string, from: string, to: string, content: string): TrackedMessage {
    const m = newMessage(id, from, to, content, this.clock.now());
    this.live.set(id, m);
    this.touch(m);
    return m;
  }

  get(id: string): TrackedMessage | undefined {
    return this.live.get(id);
  }

  /** An event batch from one node (erlang/PROTOCOL.md). */
  onEvent(node: string, ev: NodeEvent): void {
    switch (ev.e) {
      case "sent": {
        const m = this.live.get(ev.id) ?? this.create(ev.id, node, ev.to, ev.content);
        m.sentAt ??= ev.t / 1000;
        this.countSent(m);
        // A "failed" verdict (sender silent too long) is overturned by the sender's own report.
        if (m.status === "pending" || m.status === "failed") m.status = "sent";
        this.updateLatency(m);
        this.touch(m);
        // Reported after the receiver's nodedown: it cannot arrive, and the reason is known.
        const down = this.down.get(m.to);
        if (down !== undefined && m.status === "sent") this.lose(m, `receiver down (${down})`);
        return;
      }
      case "received": {
        if (ev.seed) return this.seedReceived(node, ev.from, ev.content, ev.t);
        const m = this.live.get(ev.id) ?? this.create(ev.id, ev.from, node, ev.content);
        if (ev.t0 != null) m.sentAt ??= ev.t0 / 1000;
        m.receivedAt = ev.t / 1000;
        this.countSent(m);
        this.countReceived(m);
        if (m.status !== "acked") m.status = "received";
        this.updateLatency(m);
        this.touch(m);
        return;
      }
      case "acked": {
        const m = this.live.get(ev.id);
        if (!m) return; // an ack for a message this dashboard never saw sent: nothing to account
        m.ackedAt = ev.t / 1000;
        m.receivedAt ??= ev.t1 / 1000; // the ack proves the receiver had it
        this.countSent(m);
        this.countReceived(m);
        if (!m.counted.acked) {
          m.counted.acked = true;
          this.books.acked(m.from);
        }
        m.status = "acked";
        this.updateLatency(m);
        this.touch(m);
        return;
      }
      case "send_failed":
        // Generator traffic is first known here when its very first report is a failure.
        if (!this.live.has(ev.id)) this.create(ev.id, node, ev.to, "");
        this.fail(ev.id, `sender could not send: ${ev.reason}`);
        return;
      case "traffic_done":
        return;
    }
  }

  /** The message never left the sender (unknown node, sender down, not connected). */
  fail(id: string, reason: string): void {
    const m = this.live.get(id);
    if (!m || m.counted.sent) return;
    if (m.status !== "failed") this.books.failed(1);
    m.status = "failed";
    m.reason = reason;
    this.touch(m);
  }

  /** A node is up (again): messages sent to it from now on may arrive. */
  onNodeUp(node: string): void {
    this.down.delete(node);
  }

  /** A node went down: what was in flight to it is lost, what it had not yet sent failed. */
  onNodeDown(node: string, reason: string): void {
    this.down.set(node, reason);
    for (const m of this.live.values()) {
      if (m.status === "sent" && m.to === node) this.lose(m, `receiver down (${reason})`);
      else if (m.status === "pending" && m.from === node) this.fail(m.id, `sender down (${reason})`);
    }
  }

  /** Call periodically: in-flight messages older than the timeout are lost. */
  sweep(): void {
    const now = this.clock.now();
    for (const m of this.live.values()) {
      const since = m.sentAt ?? m.createdAt;
      if (m.status === "sent" && now - since > this.opts.lossTimeoutMs) {
        this.lose(m, `timeout: not received within ${this.opts.lossTimeoutMs} ms`);
      } else if (m.status === "pending" && now - m.createdAt > this.opts.lossTimeoutMs) {
        this.fail(m.id, `timeout: the sender never reported sending it`);
      }
    }
    this.trim();
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

  /** Changed messages for the store (all of them, not capped). */
  drainForStore(): TrackedMessage[] {
    const out = [...this.storeQueue];
    this.storeQueue.clear();
    return out;
  }

  stats(): StatsDTO {
    return { ...this.books.snapshot(), latencyMs: this.latency.percentiles(), at: this.clock.now() };
  }

  inboundOf(node: string): number {
    return this.books.inboundOf(node);
  }

  sentBy(node: string): number {
    return this.books.sentBy(node);
  }

  private readonly storeQueue = new Set<TrackedMessage>();
  /** Nodes seen down (and not up since), with the reason. */
  private readonly down = new Map<string, string>();

  private seedReceived(node: string, from: string, content: string, t: number): void {
    const m = this.create(`seed-${node.split("@")[0]}-${t}-${++this.seedSeq}`, from, node, content);
    m.seed = true;
    m.receivedAt = t / 1000;
    m.status = "received";
    this.countSent(m);
    this.countReceived(m);
    this.touch(m);
  }

  private countSent(m: TrackedMessage): void {
    if (m.counted.sent) return;
    m.counted.sent = true;
    if (m.status === "failed") {
      this.books.failed(-1); // it did leave after all
      m.reason = null;
    }
    this.books.sent(m.from);
    this.opts.onSent?.(m);
  }

  private countReceived(m: TrackedMessage): void {
    if (m.counted.received) return;
    m.counted.received = true;
    // A late arrival after the loss verdict: the receiver's report wins.
    const wasLost = m.counted.lost;
    m.counted.lost = false;
    if (wasLost) m.reason = "arrived after it was reported lost";
    this.books.received(m.from, m.to, wasLost);
  }

  private lose(m: TrackedMessage, reason: string): void {
    if (m.counted.received || m.counted.lost || !m.counted.sent) return;
    m.counted.lost = true;
    m.status = "lost";
    m.reason = reason;
    this.books.lost(m.from);
    this.touch(m);
  }

  private updateLatency(m: TrackedMessage): void {
    if (m.latencyMs !== null || m.sentAt === null) return;
    const oneClock = this.opts.sameClock?.(m.from, m.to) ?? true;
    let ms: number;
    if (oneClock && m.receivedAt !== null) {
      ms = m.receivedAt - m.sentAt;
      m.latencyKind = "one-way";
    } else if (!oneClock && m.ackedAt !== null) {
      ms = (m.ackedAt - m.sentAt) / 2;
      m.latencyKind = "half-rtt";
    } else return;
    m.latencyMs = Math.max(0, Math.round(ms * 1000) / 1000); // µs resolution
    this.latency.add(m.latencyMs);
  }

  private touch(m: TrackedMessage): void {
    // Re-insert so Map order is "last changed last"; trim() drops the oldest finished ones.
    this.live.delete(m.id);
    this.live.set(m.id, m);
    this.changed.add(m.id);
    this.storeQueue.add(m);
    this.onChange?.();
  }

  private trim(): void {
    let excess = this.live.size - this.recentLimit;
    if (excess <= 0) return;
    // Oldest changed first. A received message waits for its ack for as long as a sent one
    // waits for its reception; in-flight ones always stay.
    const ackDeadline = this.clock.now() - this.opts.lossTimeoutMs;
    for (const [id, m] of this.live) {
      if (excess <= 0) break;
      if (m.status === "pending" || m.status === "sent") continue;
      if (m.status === "received" && !m.seed && (m.receivedAt ?? 0) > ackDeadline) continue;
      this.live.delete(id);
      excess--;
    }
  }
}
