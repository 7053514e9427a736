import path from "node:path";
import { MAX_REPLICAS, type RuntimeKind } from "../lib/contracts/common";
import type { ClusterDTO, ClusterEventDTO, MessageDTO, SeriesDTO, StatsDTO, TrafficState } from "../lib/contracts/http-replies";
import { BridgeClient } from "./bridge/bridge-client";
import { type BridgeFrame, nodeEvent } from "./bridge/protocol";
import { ClusterModel } from "./cluster/model";
import type { Config } from "./config";
import { ApiError } from "./errors";
import type { Identity } from "./identity";
import { createLogger, type Logger } from "./log";
import { MessageTracker, toDTO } from "./messages/tracker";
import { LocalRuntime } from "./runtime/local";
import type { Runtime } from "./runtime/types";
import type { SeriesRequest } from "./store/series";
import { Store } from "./store/store";
import { type TrafficRequest, planTraffic } from "./traffic";

export type { TrafficState };

/**
 * The dashboard's service layer: owns the runtime, the bridge, the cluster model, the message
 * tracker and the store, and offers the operations the HTTP API and the socket hub use.
 */
export class Swarmscope {
  runtime!: Runtime;
  bridge!: BridgeClient;
  readonly model: ClusterModel;
  readonly tracker: MessageTracker;
  readonly store: Store;
  traffic: TrafficState | null = null;
  private readonly log: Logger = createLogger("app");
  private readonly pendingEvents: ClusterEventDTO[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private idSeq = 0;
  private runtimeKind: RuntimeKind;

  constructor(
    readonly config: Config,
    readonly identity: Identity,
  ) {
    this.runtimeKind = config.runtime;
    this.tracker = new MessageTracker({
      lossTimeoutMs: config.lossTimeoutMs,
      sameClock: (a, b) => this.model.hostOf(a) === this.model.hostOf(b),
    });
    this.store = new Store(path.join(config.dataDir, "swarmscope.db"), config.retention);
    const recovered = this.store.recover();
    this.tracker.restore(recovered.totals, recovered.perNode, recovered.inbound);
    this.model = this.newModel();
  }

  async start(): Promise<void> {
    await this.useRuntime(this.runtimeKind);
    this.every(3000, () => void this.checkRuntime());
    this.every(250, () => this.tracker.sweep());
    this.every(200, () => this.flushStore());
    this.every(60_000, () => this.store.enforceRetention());
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.bridge?.close();
    await this.runtime?.close();
    this.flushStore();
    this.store.close();
  }

  // ---- operations used by the HTTP API ----

  health() {
    return {
      status: "ok" as const,
      runtime: this.runtimeKind,
      version: "0.1.0",
      bridge: this.bridge.status,
      store: this.store.writerStatus(),
      memory: { rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) },
    };
  }

  cluster(): ClusterDTO {
    return this.model.snapshot();
  }

  async scale(replicas: number, runtime?: RuntimeKind): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS) {
      throw new ApiError(400, `replicas must be an integer from 0 to ${MAX_REPLICAS}`);
    }
    if (runtime && runtime !== this.runtimeKind) await this.switchRuntime(runtime);
    const st = await this.checkRuntime();
    if (!st.ready) throw new ApiError(409, st.problem ?? `the ${this.runtimeKind} runtime is not ready`);
    this.model.setDesired(replicas);
    this.runtime.scale(replicas).catch((err: Error) => {
      this.log.error(`scale to ${replicas} failed: ${err.message}`);
      this.model.failProgress(err.message);
    });
  }

  /** Makes the runtime ready when it can be (Swarm: `docker swarm init`). */
  async initRuntime(): Promise<ClusterDTO["runtimeStatus"]> {
    const st = await this.checkRuntime();
    if (st.ready) return st;
    if (!st.canInit || !this.runtime.init) throw new ApiError(409, st.problem ?? "this runtime cannot be initialised from here");
    try {
      await this.runtime.init();
    } catch (err) {
      throw new ApiError(500, `initialising the ${this.runtimeKind} runtime failed: ${(err as Error).message}`);
    }
    return this.checkRuntime();
  }

  async switchTo(kind: RuntimeKind): Promise<void> {
    if (kind !== this.runtimeKind) await this.switchRuntime(kind);
  }

  send(from: string, to: string, content: string): string[] {
    this.requireBridge();
    this.requireUp(from, "sender");
    const up = this.model.upNodes();
    let targets: string[];
    if (to === "*") {
      targets = up.filter((n) => n !== from);
      if (targets.length === 0) throw new ApiError(409, "no other node is up to receive a broadcast");
    } else {
      this.requireUp(to, "receiver");
      if (to === from) throw new ApiError(400, "from and to must be different nodes");
      targets = [to];
    }
    return targets.map((target) => {
      const id = `m${Date.now().toString(36)}${(++this.idSeq).toString(36)}`;
      this.tracker.create(id, from, target, content);
      this.bridge.send({ t: "send", id, from, to: target, content });
      return id;
    });
  }

  async kill(name: string): Promise<void> {
    const r = this.model.findReplica(name);
    if (!r) throw new ApiError(404, `no replica named ${name}`);
    await this.runtime.kill(r.id);
  }

  messages(limit: number, after?: number): MessageDTO[] {
    this.flushStore();
    return this.store.listMessages(limit, after);
  }

  message(id: string): MessageDTO | undefined {
    const m = this.tracker.get(id);
    return m ? toDTO(m) : this.store.getMessage(id);
  }

  stats(): StatsDTO {
    return this.tracker.stats();
  }

  /** Throughput, losses, latency and nodes up per time bucket, from the stored history. */
  series(req: SeriesRequest): Promise<SeriesDTO> {
    this.flushStore();
    return this.store.series(req, Date.now(), () => new Promise((resolve) => setImmediate(resolve)));
  }

  events(limit: number): ClusterEventDTO[] {
    this.flushStore();
    return this.store.listEvents(limit);
  }

  /** The inbox of a node through the seed protocol's `{get, Pid}`. */
  async inbox(name: string): Promise<unknown> {
    this.requireBridge();
    this.requireUp(name, "node");
    return this.bridge.request({ t: "get", node: name });
  }

  startTraffic(req: TrafficRequest): TrafficState {
    this.requireBridge();
    if (this.traffic && this.traffic.done < this.traffic.generators) this.stopTraffic();
    const run = `t${Date.now().toString(36)}`;
    const plan = planTraffic(req, this.model.upNodes(), run);
    for (const c of plan.commands) this.bridge.send(c);
    this.traffic = {
      run, pattern: req.pattern, startedAt: Date.now(), expected: plan.expected, generators: plan.commands.length,
      done: 0, sent: 0, nodes: plan.commands.map((c) => c.node), finished: [],
    };
    this.model.emit("event", { at: Date.now(), kind: "traffic", text: `traffic ${req.pattern} started: ${plan.expected} messages from ${plan.commands.length} nodes` });
    return this.traffic;
  }

  stopTraffic(): TrafficState | null {
    if (!this.traffic) return null;
    this.bridge.send({ t: "traffic_stop", run: this.traffic.run });
    this.model.emit("event", { at: Date.now(), kind: "traffic", text: `traffic ${this.traffic.pattern} stopped` });
    return this.traffic;
  }

  // ---- wiring ----

  private newModel(): ClusterModel {
    const model = new ClusterModel({
      runtime: this.runtimeKind,
      deploymentId: this.identity.deploymentId,
      counts: (node) => ({ sent: this.tracker.sentBy(node), received: this.tracker.inboundOf(node) }),
    });
    model.on("event", (e) => this.pendingEvents.push(e));
    return model;
  }

  private async useRuntime(kind: RuntimeKind): Promise<void> {
    this.runtimeKind = kind;
    this.runtime = await createRuntime(kind, this.config, this.identity);
    const runtime = this.runtime;
    runtime.on("change", (list) => this.model.setReplicas(list, runtime.desired()));
    runtime.on("progress", (phase) => this.model.setPhase(phase));
    this.model.setReplicas(runtime.list());
    this.bridge = new BridgeClient({
      open: () => this.runtime.openBridge(),
      discovery: () => this.runtime.discovery(),
      log: createLogger("bridge"),
    });
    this.bridge.on("status", (status, error) =>
      this.model.setBridge({ status, ...(this.bridge.bridgeNode ? { node: this.bridge.bridgeNode } : {}), ...(error ? { error } : {}) }),
    );
    this.bridge.on("frame", (f) => this.onFrame(f));
    await this.checkRuntime();
  }

  /** Polled: the bridge starts once the runtime is ready (a Swarm engine may come later). */
  private async checkRuntime(): Promise<ClusterDTO["runtimeStatus"]> {
    const runtime = this.runtime;
    let st: ClusterDTO["runtimeStatus"];
    try {
      st = await runtime.status();
    } catch (err) {
      st = { ready: false, problem: (err as Error).message };
    }
    if (runtime !== this.runtime) return st;
    this.model.setRuntimeStatus(st);
    if (st.ready && this.bridge.status === "down" && !this.bridge.started) void this.bridge.start();
    if (!st.ready && this.bridge.status !== "up") this.model.bridge = { status: "down", error: `waiting for the runtime: ${st.problem}` };
    return st;
  }

  private async switchRuntime(kind: RuntimeKind): Promise<void> {
    this.log.info(`switching runtime ${this.runtimeKind} → ${kind}`);
    await this.bridge.close();
    await this.runtime.close();
    for (const n of this.model.upNodes()) this.model.nodeDown(n, "runtime switched");
    this.model.setRuntime(kind);
    await this.useRuntime(kind);
  }

  private onFrame(f: BridgeFrame): void {
    switch (f.t) {
      case "nodeup":
        this.model.nodeUp(f.node);
        this.tracker.onNodeUp(f.node);
        return;
      case "nodedown":
        this.model.nodeDown(f.node, f.reason ?? "unknown");
        this.tracker.onNodeDown(f.node, f.reason ?? "unknown");
        this.onTrafficDone(this.traffic?.run ?? "", 0, f.node, "its node went down");
        return;
      case "links":
        this.model.setLinks(f.node, f.links);
        return;
      case "events":
        for (const raw of f.events) {
          const ev = nodeEvent.safeParse(raw);
          if (!ev.success) {
            this.log.warn(`unexpected event from ${f.node}: ${JSON.stringify(raw).slice(0, 200)}`);
            continue;
          }
          if (ev.data.e === "traffic_done") this.onTrafficDone(ev.data.run, ev.data.sent, f.node);
          else this.tracker.onEvent(f.node, ev.data);
        }
        return;
      case "send_failed":
        this.tracker.fail(f.id, f.reason === "unknown_node" ? "the bridge does not know that node" : f.reason);
        return;
      default:
        return;
    }
  }

  /** A generator finished, or its node went down (then it can never report). */
  private onTrafficDone(run: string, sent: number, node: string, why?: string): void {
    const t = this.traffic;
    if (!t || t.run !== run || !t.nodes.includes(node) || t.finished.includes(node)) return;
    t.finished.push(node);
    t.done++;
    t.sent += sent;
    if (why) this.model.emit("event", { at: Date.now(), kind: "traffic", node, text: `traffic generator on ${this.model.short(node)} ended: ${why}` });
    if (t.done === t.generators) {
      this.model.emit("event", { at: Date.now(), kind: "traffic", text: `traffic ${t.pattern} finished: ${t.sent} sent in ${((Date.now() - t.startedAt) / 1000).toFixed(2)} s` });
    }
  }

  private flushStore(): void {
    this.store.saveMessages(this.tracker.drainForStore());
    this.store.saveEvents(this.pendingEvents.splice(0));
  }

  private requireBridge(): void {
    if (this.bridge.status !== "up") throw new ApiError(503, `the bridge is ${this.bridge.status}${this.bridge.lastError ? `: ${this.bridge.lastError}` : ""}`);
  }

  private requireUp(name: string, role: string): void {
    if (this.model.isUp(name)) return;
    if (this.model.knows(name)) throw new ApiError(409, `${role} ${name} is not up`);
    const up = this.model.upNodes();
    throw new ApiError(404, `unknown ${role} ${name}; nodes up: ${up.length ? up.join(", ") : "none"}`);
  }

  private every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }
}

async function createRuntime(kind: RuntimeKind, config: Config, identity: Identity): Promise<Runtime> {
  if (kind === "local") {
    return new LocalRuntime({
      deploymentId: identity.deploymentId,
      erlangHome: identity.erlangHome,
      ebin: path.join(config.repoRoot, "erlang", "ebin"),
      env: config.childEnv,
      log: createLogger("local"),
    });
  }
  const { SwarmRuntime } = await import("./runtime/swarm");
  return new SwarmRuntime({
    deploymentId: identity.deploymentId,
    stack: config.stack,
    cookie: identity.cookie,
    repoRoot: config.repoRoot,
    log: createLogger("swarm"),
  });
}
