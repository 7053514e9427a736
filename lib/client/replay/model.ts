import type { ClusterEventDTO, MessageDTO } from "../../contracts/http-replies";
import type { ReplayCounts, ReplayItem, ReplayReply, ReplaySecond } from "../../contracts/replay";
import { applyNodeEvent, emptyNodes, type NodesState } from "../../replay-nodes";
import type { StatsPoint } from "../stats-history";

// The replay's state at a moment, from the pages of GET /api/replay: pure, so the player can step
// it forward (advance) or build it again for any moment (a seek), and the tests can check it. It
// says what changed at each step, in the shapes the live stores take.

type MessageItem = Extract<ReplayItem, { type: "message" }>;
type Start = NonNullable<ReplayReply["start"]>;

export interface Step {
  events: ClusterEventDTO[];
  /** Messages that appeared or changed status (tracked ones as they stood then; bulk samples). */
  messages: MessageDTO[];
  nodesChanged: boolean;
}

const ZERO: ReplayCounts = { sent: 0, received: 0, acked: 0, lost: 0 };

/** A tracked or seed message as it stood at `t` (null: not created yet). */
export function messageAt(item: MessageItem, t: number): MessageDTO | null {
  if (t < item.at) return null;
  const m = item.message;
  const none = { receivedAt: null, ackedAt: null, latencyMs: null, reason: null } as const;
  const { latencyKind: _k, ...bare } = m;
  if (m.seed) return m;
  if (m.status === "failed") return item.settledAt !== null && t < item.settledAt ? { ...bare, ...none, status: "pending" } : m;
  if (m.sentAt === null || t < m.sentAt) return { ...bare, ...none, sentAt: null, status: "pending" };
  if (m.status === "lost" || m.status === "sent" || m.status === "pending") {
    return m.status === "lost" && item.settledAt !== null && t >= item.settledAt ? m : { ...bare, ...none, status: "sent" };
  }
  if (m.receivedAt !== null && t < m.receivedAt) return { ...bare, ...none, status: "sent" };
  if (m.ackedAt === null || t < m.ackedAt) return { ...m, ackedAt: null, status: "received" };
  return m;
}

export class ReplayModel {
  readonly items: ReplayItem[] = [];
  /** Seconds by their start, for the counters and the charts. */
  private readonly seconds = new Map<number, ReplaySecond>();
  private next = 0;
  private t: number;
  readonly nodes: NodesState;
  bridge: "starting" | "up" | "down" = "up";
  private readonly counts: ReplayCounts;
  private current: ReplaySecond | null = null;
  private readonly perNode = new Map<string, { sent: number; received: number }>();
  private readonly open = new Map<string, { item: MessageItem; status: string }>();
  private samples: MessageDTO[] = [];
  private readonly points: StatsPoint[] = [];
  private pointSec: number;
  private latency: Pick<ReplaySecond, "p50" | "p95" | "p99"> = { p50: null, p95: null, p99: null };

  constructor(
    readonly since: number,
    start: Start | undefined,
  ) {
    this.t = since;
    this.pointSec = Math.floor(since / 1000) * 1000;
    this.counts = { ...(start?.counts ?? ZERO) };
    this.nodes = emptyNodes();
    this.nodes.desired = start?.desiredReplicas ?? 0;
    for (const n of start?.nodes ?? []) this.nodes.nodes.set(n.name, { ...n });
  }

  append(items: ReplayItem[]): void {
    for (const i of items) {
      this.items.push(i);
      if (i.type === "second") this.seconds.set(i.at, i);
    }
  }

  get time(): number {
    return this.t;
  }

  /** Moves to `t` (never back), applying what happened in between; answers what changed. */
  advance(t: number): Step {
    const step: Step = { events: [], messages: [], nodesChanged: false };
    if (t < this.t) return step;
    this.t = t;
    for (; this.next < this.items.length && this.items[this.next]!.at <= t; this.next++) this.apply(this.items[this.next]!, step);
    for (const [id, o] of this.open) {
      const m = messageAt(o.item, t);
      if (!m || m.status === o.status) continue;
      o.status = m.status;
      step.messages.push(m);
      if (m === o.item.message) this.open.delete(id);
    }
    let k = 0;
    while (k < this.samples.length && this.samples[k]!.receivedAt! <= t) step.messages.push(this.samples[k++]!);
    this.samples = this.samples.slice(k);
    if (this.current && t >= this.current.at + 1000) this.finish(this.current);
    this.addPoints(t);
    return step;
  }

  private apply(i: ReplayItem, step: Step): void {
    if (i.type === "event") {
      step.events.push(i.event);
      if (applyNodeEvent(this.nodes, i.event)) step.nodesChanged = true;
      if (i.event.kind === "bridge") this.bridge = /^bridge up\b/.test(i.event.text) ? "up" : /^bridge starting/.test(i.event.text) ? "starting" : "down";
    } else if (i.type === "message") {
      this.open.set(i.message.id, { item: i, status: "" });
    } else {
      if (this.current) this.finish(this.current);
      this.current = i;
      this.samples.push(...i.samples);
      this.samples.sort((a, b) => a.receivedAt! - b.receivedAt!);
      for (const [name, c] of Object.entries(i.nodes)) {
        const n = this.perNode.get(name) ?? this.perNode.set(name, { sent: 0, received: 0 }).get(name)!;
        n.sent += c.sent;
        n.received += c.received;
      }
    }
  }

  private finish(s: ReplaySecond): void {
    for (const k of ["sent", "received", "acked", "lost"] as const) this.counts[k] += s.counts[k];
    if (s.p50 !== null) this.latency = { p50: s.p50, p95: s.p95, p99: s.p99 };
    this.current = null;
  }

  /** The counters at the current moment: the second under way counts pro rata. */
  countsNow(): ReplayCounts & { inFlight: number } {
    const c = { ...this.counts };
    const s = this.current;
    if (s) {
      const f = (this.t - s.at) / 1000;
      for (const k of ["sent", "received", "acked", "lost"] as const) c[k] += Math.floor(s.counts[k] * f);
    }
    return { ...c, acked: Math.min(c.acked, c.received), inFlight: Math.max(0, c.sent - c.received - c.lost) };
  }

  latencyNow() {
    return this.latency;
  }

  nodeCounts(name: string): { sent: number; received: number } {
    return this.perNode.get(name) ?? { sent: 0, received: 0 };
  }

  upCount(): number {
    let n = 0;
    for (const x of this.nodes.nodes.values()) if (x.status === "up") n++;
    return n;
  }

  /** One chart point per whole second passed (zero where nothing was stored), as the live charts take them. */
  chartPoints(): StatsPoint[] {
    return this.points;
  }

  private addPoints(t: number): void {
    for (; this.pointSec + 1000 <= t; this.pointSec += 1000) {
      const s = this.seconds.get(this.pointSec);
      this.points.push({
        t: this.pointSec + 1000,
        sentRate: s?.counts.sent ?? 0,
        receivedRate: s?.counts.received ?? 0,
        lostRate: s?.counts.lost ?? 0,
        p50: s?.p50 ?? null,
        p95: s?.p95 ?? null,
        p99: s?.p99 ?? null,
        nodesUp: this.upCount(),
      });
    }
  }
}
