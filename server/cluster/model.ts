import { EventEmitter } from "node:events";
import type { NodeStatus, RuntimeKind } from "../../lib/contracts/common";
import type { ClusterDTO, ClusterEventDTO, HostDTO, NodeDTO } from "../../lib/contracts/http-replies";
import { shortNodeName } from "../../lib/node-name";
import type { Replica } from "../runtime/types";
import { DeployProgress } from "./deploy-progress";
import { type ErlangNode, replicaFlags, replicaStatus, strangersOf } from "./node-status";

export interface ModelOptions {
  runtime: RuntimeKind;
  deploymentId: string;
  now?: () => number;
  /** A running replica whose node has not joined after this long is flagged. */
  joinGraceMs?: number;
  counts: (node: string) => { sent: number; received: number };
}

/**
 * One view of the cluster that merges what the runtime says (replicas: processes or tasks) with
 * what the bridge says (Erlang nodes, links), and flags where the two disagree.
 */
export class ClusterModel extends EventEmitter<{ change: []; event: [ClusterEventDTO] }> {
  private replicas: Replica[] = [];
  private readonly erlang = new Map<string, ErlangNode>();
  private readonly replicaSince = new Map<string, number>();
  /** Per replica: which process or container runs it, and since when. */
  private readonly incarnation = new Map<string, string>();
  private readonly startedSince = new Map<string, number>();
  /** Erlang node name → its replica's slot, kept after the replica is gone (for short names). */
  private readonly slotOf = new Map<string, number>();
  private desired = 0;
  private hosts: HostDTO[] = [];
  private readonly deploy = new DeployProgress();
  bridge: ClusterDTO["bridge"] = { status: "starting" };
  runtimeStatus: ClusterDTO["runtimeStatus"] = { ready: true };
  private readonly now: () => number;

  constructor(private readonly opts: ModelOptions) {
    super();
    this.now = opts.now ?? Date.now;
  }

  setRuntimeStatus(st: ClusterDTO["runtimeStatus"]): void {
    if (JSON.stringify(st) === JSON.stringify(this.runtimeStatus)) return;
    this.runtimeStatus = st;
    this.record("runtime", st.ready ? `${this.opts.runtime} runtime ready` : `${this.opts.runtime} runtime not ready: ${st.problem}`);
    this.emit("change");
  }

  setRuntime(kind: RuntimeKind): void {
    this.opts.runtime = kind;
    this.emit("change");
  }

  /** The runtime's hosts (Swarm nodes); a change of a host's state, availability, agent or cut is an event. */
  setHosts(hosts: HostDTO[]): void {
    const before = new Map(this.hosts.map((h) => [h.id, hostState(h)]));
    this.hosts = hosts;
    for (const h of hosts) {
      const now = hostState(h);
      if (before.get(h.id) !== now) this.record("host", `host ${h.hostname} (${h.id.slice(0, 12)}) ${now}`);
    }
    this.emit("change");
  }

  setDesired(n: number): void {
    this.desired = n;
    this.deploy.start(n, this.now());
    this.record("deploy", `${n === 0 ? "remove" : `deploy/scale to ${n}`} requested`);
    this.updateProgress();
  }

  setPhase(phase: string): void {
    if (this.deploy.setPhase(phase)) this.emit("change");
  }

  failProgress(error: string): void {
    if (!this.deploy.fail(error, this.now())) return;
    this.record("deploy", `deploy failed: ${error}`);
    this.emit("change");
  }

  setBridge(b: ClusterDTO["bridge"]): void {
    this.bridge = b;
    this.record("bridge", `bridge ${b.status}${b.error ? `: ${b.error}` : ""}`);
    if (b.status !== "up") {
      // Without the bridge nothing is known about the Erlang nodes.
      for (const [name, n] of this.erlang) if (n.status === "up") this.nodeDown(name, "bridge lost");
    }
    this.emit("change");
  }

  /**
   * The runtime's replica list, and its desired count when it knows it: a scale made behind the
   * dashboard's back (`docker service scale`, `docker service rm`) is followed, except while a
   * deploy asked from here is still in progress.
   */
  setReplicas(list: Replica[], desired?: number): void {
    const before = new Map(this.replicas.map((r) => [r.id, r.state]));
    this.replicas = list;
    if (desired !== undefined && desired !== this.desired && !this.deploy.going) {
      this.record("deploy", `the runtime now wants ${desired} replica${desired === 1 ? "" : "s"} (was ${this.desired})`);
      this.desired = desired;
    }
    for (const r of list) if (r.nodeName) this.slotOf.set(r.nodeName, r.slot);
    for (const r of list) {
      const inc = incarnation(r);
      if (this.incarnation.get(r.id) !== inc) {
        this.incarnation.set(r.id, inc);
        this.startedSince.set(r.id, this.now());
      }
      if (before.get(r.id) !== r.state) {
        this.replicaSince.set(r.id, this.now());
        // Swarm: "task 1xhn8aei6rz9 running"; locally the replica id ("n3 running").
        const who = r.taskId ? `task ${r.taskId.slice(0, 12)}` : r.id;
        const where = r.hostId ? ` on ${r.host}` : ""; // placement, as Swarm makes it
        this.record("replica", `${who} ${r.state}${where}${r.error ? ` (${r.error})` : ""}`, r.nodeName ?? undefined);
      }
    }
    // Forget Erlang nodes that are down and belong to no replica any more (scaled away).
    const names = new Set(list.map((r) => r.nodeName));
    for (const [name, n] of this.erlang) if (n.status === "down" && !names.has(name)) this.erlang.delete(name);
    this.forgetGone();
    this.updateProgress();
    this.emit("change");
  }

  nodeUp(name: string): void {
    this.erlang.set(name, { status: "up", since: this.now(), links: this.erlang.get(name)?.links ?? [] });
    this.record("nodeup", `${this.short(name)} joined`, name);
    this.updateProgress();
    this.emit("change");
  }

  nodeDown(name: string, reason: string): void {
    const n = this.erlang.get(name);
    if (!n || n.status === "down") return;
    // The others' links to it are hidden while it is down (nodeDTO), not dropped: a peer whose own
    // link never broke (a frozen node thawed within its tick) reports no change when it is back.
    this.erlang.set(name, { status: "down", since: this.now(), links: [], downReason: reason });
    this.record("nodedown", `${this.short(name)} down (${reason})`, name);
    // Down and no replica of the runtime's has it (scaled away, service removed): forget it.
    if (!this.replicas.some((r) => r.nodeName === name)) {
      for (const other of this.erlang.values()) other.links = other.links.filter((l) => l !== name);
      this.erlang.delete(name);
      this.slotOf.delete(name);
    }
    this.updateProgress();
    this.emit("change");
  }

  setLinks(name: string, links: string[]): void {
    const n = this.erlang.get(name);
    if (!n || n.status !== "up") return;
    n.links = links;
    this.emit("change");
  }

  isUp(name: string): boolean {
    return this.erlang.get(name)?.status === "up";
  }

  upNodes(): string[] {
    return [...this.erlang].filter(([, n]) => n.status === "up").map(([name]) => name);
  }

  /** The replica behind an Erlang node name, by node name or replica id ("n3"). */
  /** The replica of a node name or id; the running one when an older or newer task shares the name. */
  findReplica(nameOrId: string): Replica | undefined {
    const all = this.replicas.filter((r) => r.nodeName === nameOrId || r.id === nameOrId);
    return all.find((r) => r.state === "running") ?? all[0];
  }

  /** The node of a slot's replica, one that is up first (on Swarm a killed task's replacement has a new name). */
  nodeInSlot(slot: number): string | null {
    const names = this.replicas.filter((r) => r.slot === slot && r.nodeName !== null).map((r) => r.nodeName!);
    return names.find((n) => this.isUp(n)) ?? names[0] ?? null;
  }

  /** The host a node runs on: the runtime's word (a Swarm node), else the host part of its name. */
  hostOf(name: string): string {
    return this.replicas.find((r) => r.nodeName === name)?.host ?? name.split("@")[1] ?? name;
  }

  knows(name: string): boolean {
    return this.erlang.has(name) || this.replicas.some((r) => r.nodeName === name);
  }

  snapshot(): ClusterDTO {
    const nodes: NodeDTO[] = [];
    const seen = new Set<string>();
    const now = this.now();
    const grace = this.opts.joinGraceMs ?? 20_000;
    for (const r of this.replicas) {
      const name = r.nodeName ?? `${r.id} (no node name yet)`;
      seen.add(name);
      const e = r.nodeName ? this.erlang.get(r.nodeName) : undefined;
      const status = replicaStatus(r, e, this.startedSince.get(r.id) ?? 0);
      const runningMs = now - (this.replicaSince.get(r.id) ?? now);
      nodes.push(this.nodeDTO(name, status, r, e, replicaFlags(r, e, runningMs, grace, this.bridge.status === "up")));
    }
    for (const [name, e] of this.erlang) {
      if (seen.has(name)) continue;
      nodes.push(this.nodeDTO(name, e.status, null, e, ["Erlang node with no replica the runtime knows of"]));
    }
    return {
      runtime: this.opts.runtime,
      deploymentId: this.opts.deploymentId,
      desiredReplicas: this.desired,
      nodes,
      strangers: strangersOf(this.erlang, (n) => this.knows(n)),
      bridge: this.bridge,
      progress: this.deploy.current,
      runtimeStatus: this.runtimeStatus,
      hosts: this.hosts,
    };
  }

  private nodeDTO(name: string, status: NodeStatus, r: Replica | null, e: ErlangNode | undefined, flags: string[]): NodeDTO {
    const c = this.opts.counts(name);
    return {
      name,
      status,
      host: r?.host ?? name.split("@")[1] ?? "?",
      slot: r?.slot ?? null,
      links: e?.status === "up" ? e.links.filter((l) => this.erlang.get(l)?.status !== "down") : [],
      sent: c.sent,
      received: c.received,
      replica: r ? stripNodeName(r) : null,
      flags,
      since: e?.since ?? (r ? this.replicaSince.get(r.id) ?? this.now() : this.now()),
      ...(status === "down" && e?.downReason ? { downReason: e.downReason } : {}),
    };
  }

  private updateProgress(): void {
    const done = this.deploy.update(this.replicas, (n) => this.isUp(n), this.now());
    if (done) this.record("deploy", done);
  }

  /** How many entries the per-replica and per-node maps hold (they must stay bounded). */
  bookkeepingSizes(): Record<"replicaSince" | "incarnation" | "startedSince" | "slotOf" | "erlang", number> {
    const { replicaSince, incarnation, startedSince, slotOf, erlang } = this;
    return { replicaSince: replicaSince.size, incarnation: incarnation.size, startedSince: startedSince.size, slotOf: slotOf.size, erlang: erlang.size };
  }

  /**
   * Forgets what belongs to replicas the runtime no longer lists and to node names neither a
   * replica nor the Erlang view still has (each Swarm replacement brings a new task id and,
   * with a new overlay IP, a new node name): only what the cluster view can show is kept.
   */
  private forgetGone(): void {
    const ids = new Set(this.replicas.map((r) => r.id));
    for (const m of [this.replicaSince, this.incarnation, this.startedSince]) {
      for (const id of m.keys()) if (!ids.has(id)) m.delete(id);
    }
    const names = new Set(this.replicas.map((r) => r.nodeName));
    for (const name of this.slotOf.keys()) if (!names.has(name) && !this.erlang.has(name)) this.slotOf.delete(name);
  }

  /** "n3": the node's short name, by its replica's slot on Swarm (see lib/node-name.ts). */
  short(name: string): string {
    return shortNodeName(name, this.slotOf.get(name));
  }

  private record(kind: string, text: string, node?: string): void {
    this.emit("event", { at: this.now(), kind, text, ...(node ? { node } : {}) });
  }
}

function hostState(h: HostDTO): string {
  const agent = h.agent === "up" ? "agent up" : "agent down";
  return `${h.state}, ${h.availability}, ${agent}${h.partitionedSince !== null ? ", cut off" : ""}`;
}

function incarnation(r: Replica): string {
  return `${r.pid ?? ""}/${r.containerId ?? ""}/${r.restarts}`;
}

function stripNodeName(r: Replica): NodeDTO["replica"] {
  const { nodeName: _unused, ...dto } = r;
  return dto;
}
