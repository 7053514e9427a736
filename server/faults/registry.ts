import type { FaultDTO } from "../../lib/contracts/fault-replies";
import type { FaultBody } from "../../lib/contracts/fault-requests";
import type { BridgeFrame } from "../bridge/protocol";
import { ConflictError, NotFoundError } from "../errors";
import type { FaultApplier } from "./applier";
import { type Directory, targetsOf } from "./fault-input";
import { crosses, type Fault, isDetected, isRestored, type LinkView, toDTO } from "./fault-record";
import { HostCuts } from "./host-cuts";

export interface RegistryDeps {
  dir: Directory;
  applier: FaultApplier;
  /** Judges lost, tentatively, what is in flight on the pairs `which` picks (Books.judge). */
  judge: (which: (from: string, to: string) => boolean, reason: string) => number;
  /** A cluster event (the timeline, the store, the socket). */
  record: (text: string, node?: string) => void;
  /** Tells every node the others again (a node does not reconnect a lost peer on its own). */
  remesh: () => void;
  /** SWARMSCOPE_TICK_MS: a peer's tick can still end a link up to 1.25 ticks after a thaw. */
  tickMs?: number;
  now?: () => number;
}

/** Messages sent just before a cut may still be reported received: verdicts wait this long. */
const GRACE_MS = 300;
/** While a heal waits for its links, the nodes are told their peers this often, this long. */
const REMESH_MS = 500;
const REMESH_FOR_MS = 30_000;
/** Links must hold this long to count as restored. */
const STABLE_MS = 1000;
/** Healed faults kept in the list (newest first), with their measured times. */
const KEEP_ENDED = 20;

/**
 * The faults injected through the API: applies and heals them, measures from injection to the
 * dashboard seeing it (the node down, the links across the cut gone) and from the heal to the
 * links restored, and gives the books their verdicts: what is in flight to a frozen node is lost
 * `node_frozen`, across a partition `partition` (tentatively: a late reception overturns it).
 */
export class FaultRegistry {
  private readonly faults: Fault[] = [];
  private readonly linkMap = new Map<string, Set<string>>();
  private seq = 0;
  private remeshedAt = 0;
  /** Since when a healed fault's nodes have been up and meshed (restored once it holds STABLE_MS). */
  private readonly meshedSince = new Map<string, number>();
  private readonly view: LinkView;
  private readonly hostCuts: HostCuts;
  /** Links a fault (or a host cut) doomed can end ticks after its heal: 2.5 ticks. */
  private readonly slackMs: number;
  /** A killed node's short name ("n5") as at the kill: on Swarm its replacement has a new name, in the same slot. */
  private readonly killedAs = new Map<string, string>();
  /** When a kill's nodes (or their replacements) were up again: from then on it explains no new gap. */
  private readonly backAt = new Map<string, number>();

  constructor(private readonly d: RegistryDeps) {
    this.slackMs = 2.5 * (d.tickMs ?? 2000);
    this.hostCuts = new HostCuts(this.slackMs);
    this.view = { isUp: (n) => d.dir.isUp(n), upNodes: () => d.dir.upNodes(), links: (n) => this.linkMap.get(n) ?? new Set(), standIn: (n) => this.standIn(n) };
  }

  list(): FaultDTO[] {
    return [...this.faults].reverse().map(toDTO);
  }

  get(id: string): Fault {
    const f = this.faults.find((x) => x.id === id);
    if (!f) throw new NotFoundError(`no fault ${id} (faults: ${this.faults.map((x) => x.id).join(", ") || "none"})`);
    return f;
  }

  active(): Fault[] {
    return this.faults.filter((f) => f.status === "active");
  }

  async inject(body: FaultBody): Promise<FaultDTO> {
    const { nodes, groups } = targetsOf(this.d.dir, body);
    this.refuseOverlap(body, nodes);
    const f: Fault = {
      id: `f${++this.seq}`, kind: body.kind, nodes, groups,
      delayMs: body.kind === "delay" ? (body.delayMs ?? 0) : null,
      jitterMs: body.kind === "delay" ? (body.jitterMs ?? 0) : null,
      lossPct: body.kind === "loss" || body.kind === "delay" ? (body.lossPct ?? 0) : null,
      status: "active", how: this.d.applier.how(body.kind), startedAt: this.now(), detectedAt: null, healedAt: null, restoredAt: null,
    };
    try {
      await this.apply(f, true);
    } catch (err) {
      await this.apply(f, false).catch(() => {}); // undo what did happen
      throw err;
    }
    if (f.kind === "kill") for (const n of nodes) this.killedAs.set(n, this.d.dir.short(n));
    this.faults.push(f);
    this.trim();
    this.d.record(`fault ${f.id}: ${this.describe(f)} (${f.how})`, nodes.length === 1 ? nodes[0] : undefined);
    if (f.kind === "delay" || f.kind === "loss") this.detected(f, "the proxy is in force");
    else this.check();
    return toDTO(f);
  }

  /** Heals, thaws or clears one fault; a kill only leaves the list of active faults. */
  async heal(id: string): Promise<FaultDTO> {
    const f = this.get(id);
    if (f.status !== "active") return toDTO(f);
    if (f.kind !== "kill") await this.apply(f, false);
    f.status = f.kind === "kill" ? "ended" : "healed";
    f.healedAt = this.now();
    this.d.record(`fault ${f.id} healed: ${this.describe(f)}`);
    if (f.kind === "delay" || f.kind === "loss") this.restored(f);
    else this.check();
    return toDTO(f);
  }

  /** Thaws a node: heals the freeze fault that holds it (409 when none does). */
  async thaw(name: string): Promise<FaultDTO> {
    const node = this.d.dir.resolve(name) ?? name;
    const f = this.active().find((x) => x.kind === "freeze" && x.nodes.includes(node));
    if (!f) throw new ConflictError(`${this.d.dir.short(node)} is not frozen`);
    return this.heal(f.id);
  }

  async healAll(): Promise<FaultDTO[]> {
    const out: FaultDTO[] = [];
    for (const f of this.active()) out.push(await this.heal(f.id));
    return out;
  }

  /** The reason a node went down when a fault explains it (a frozen node). */
  downReason(node: string): string | null {
    return this.active().some((f) => f.kind === "freeze" && f.nodes.includes(node)) ? "node_frozen" : null;
  }

  /** A host was cut off (with the nodes on it then) or healed (POST/DELETE /api/hosts/:id/partition). */
  noteHostCut(host: string, nodes: string[], cut: boolean): void {
    this.hostCuts.note(host, nodes, cut, this.now());
  }

  /**
   * The books' gap reason for from → to since `since`: a fault in force since then first, a host
   * cut next, and a fault healed just before (its doomed links can end ticks later) last: a thaw
   * seconds before a host cut does not name the cut's losses.
   */
  gapReason(from: string, to: string, since: number): string | null {
    return this.cutReason(from, to, since, 0) ?? this.hostCuts.reason(from, to, since) ?? this.cutReason(from, to, since);
  }

  /** Why messages from → to were lost since `since` (server ms), when a fault explains it. */
  cutReason(from: string, to: string, since: number, slack = this.slackMs): string | null {
    const end = (x: Fault) => x.restoredAt ?? this.backAt.get(x.id) ?? x.healedAt ?? Infinity;
    const f = [...this.faults].reverse().find((x) => end(x) + slack >= since && (x.nodes.includes(from) || x.nodes.includes(to)));
    if (!f) return null;
    if (f.kind === "freeze") return "node_frozen";
    if (f.kind === "partition") return crosses(f, from, to) ? "partition" : null;
    return f.kind === "kill" ? "connection lost" : `connection lost (${f.kind} fault: its links re-formed through the proxy)`;
  }

  /** Every bridge frame, after the model saw it: links and membership for the measurements. */
  onFrame(f: BridgeFrame): void {
    if (f.t === "links") this.linkMap.set(f.node, new Set(f.links));
    else if (f.t === "nodedown") this.linkMap.delete(f.node);
    else if (f.t !== "nodeup") return;
    this.check();
  }

  /**
   * Every 250 ms or so: verdicts for what a fault keeps from arriving; and for 30 s after a heal
   * (a kill: after it was seen), while the nodes concerned are not meshed, they are told their
   * peers again (a node does not reconnect a lost peer by itself); the links count as restored
   * once they held 1 s.
   */
  sweep(): void {
    const now = this.now();
    const recent = this.faults.filter((f) => {
      const since = f.healedAt ?? (f.kind === "kill" ? f.detectedAt : null);
      return since !== null && now - since < REMESH_FOR_MS;
    });
    const broken = recent.filter((f) => !isRestored(f, this.view));
    if (broken.length > 0 && now - this.remeshedAt >= REMESH_MS) {
      this.remeshedAt = now;
      this.d.remesh();
    }
    for (const f of recent) {
      const since = this.meshedSince.get(f.id);
      if (f.restoredAt === null && since !== undefined && now - since >= STABLE_MS) this.restored(f, since);
    }
    for (const f of this.active()) {
      if (now - f.startedAt < GRACE_MS) continue;
      if (f.kind === "freeze") this.d.judge((_, to) => f.nodes.includes(to), "node_frozen");
      if (f.kind === "partition") this.d.judge((from, to) => crosses(f, from, to), "partition");
    }
  }

  // ---- internals ----

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  private async apply(f: Fault, on: boolean): Promise<void> {
    const a = this.d.applier;
    if (f.kind === "kill") return void (on && (await Promise.all(f.nodes.map((n) => a.kill(n)))));
    if (f.kind === "freeze") return void (await Promise.all(f.nodes.map((n) => a.freeze(n, on))));
    if (f.kind === "partition") return a.partition(f.groups![0], f.groups![1], on);
    for (const n of f.nodes) await (on ? a.shape(n, f.delayMs ?? 0, f.jitterMs ?? 0, f.lossPct ?? 0) : a.clear(n));
  }

  private refuseOverlap(body: FaultBody, nodes: string[]): void {
    const clash = (pick: (f: Fault) => boolean, what: string) => {
      const f = this.active().find(pick);
      if (f) throw new ConflictError(`${what} (fault ${f.id}): heal it first`);
    };
    if (body.kind === "freeze") clash((f) => f.kind === "freeze" && f.nodes.some((n) => nodes.includes(n)), "a node is already frozen");
    if (body.kind === "partition") clash((f) => f.kind === "partition", "a partition is already active");
    if (body.kind === "delay" || body.kind === "loss") {
      clash((f) => (f.kind === "delay" || f.kind === "loss") && f.nodes.some((n) => nodes.includes(n)), "a node already has a delay or loss");
    }
  }

  /** Detection and restoration of every fault still waiting for one. */
  private check(): void {
    for (const f of this.faults) {
      if (f.detectedAt === null && f.status === "active" && isDetected(f, this.view)) this.detected(f, this.seen(f));
      const since = f.kind === "kill" ? f.detectedAt : f.healedAt;
      if (f.restoredAt !== null || since === null || (f.kind !== "kill" && f.status === "active")) continue;
      if (f.kind === "kill" && !this.backAt.has(f.id) && f.nodes.every((n) => this.view.isUp(this.standIn(n)))) this.backAt.set(f.id, this.now());
      if (!isRestored(f, this.view)) this.meshedSince.delete(f.id);
      else if (!this.meshedSince.has(f.id)) this.meshedSince.set(f.id, this.now());
    }
  }

  private detected(f: Fault, what: string): void {
    f.detectedAt = this.now();
    this.d.record(`fault ${f.id} detected in ${f.detectedAt - f.startedAt} ms: ${what}`);
  }

  /** The node standing for `node` now: itself while up, else the node up under the name it was killed as. */
  private standIn(node: string): string {
    const as = this.d.dir.isUp(node) ? undefined : this.killedAs.get(node);
    return (as !== undefined ? this.d.dir.resolve(as) : null) ?? node;
  }

  private restored(f: Fault, at = this.now()): void {
    f.restoredAt = at;
    if (f.kind === "kill") for (const n of f.nodes) this.killedAs.delete(n);
    this.meshedSince.delete(f.id);
    if (f.kind === "kill") f.status = "ended";
    const since = f.kind === "kill" ? f.detectedAt! : f.healedAt!;
    this.d.record(`fault ${f.id}: links restored ${f.restoredAt - since} ms after the ${f.kind === "kill" ? "kill was seen" : "heal"}`);
  }

  private seen(f: Fault): string {
    if (f.kind === "partition") return "no link across the cut";
    return `${f.nodes.map((n) => this.d.dir.short(n)).join(", ")} down`;
  }

  private describe(f: Fault): string {
    const s = (ns: string[]) => ns.map((n) => this.d.dir.short(n)).join(", ");
    if (f.groups) return `partition ${s(f.groups[0])} | ${s(f.groups[1])}`;
    const shaping = f.kind === "delay" ? ` ${f.delayMs} ± ${f.jitterMs} ms${f.lossPct ? `, ${f.lossPct} % loss` : ""}` : f.kind === "loss" ? ` ${f.lossPct} %` : "";
    return `${f.kind} ${s(f.nodes)}${shaping}`;
  }

  private trim(): void {
    const ended = this.faults.filter((f) => f.status !== "active");
    for (const f of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) {
      this.faults.splice(this.faults.indexOf(f), 1);
      this.backAt.delete(f.id);
      for (const n of f.nodes) this.killedAs.delete(n);
    }
  }
}
