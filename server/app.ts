import fs from "node:fs";
import path from "node:path";
import { MAX_REPLICAS, type RuntimeKind } from "../lib/contracts/common";
import type { HostBody } from "../lib/contracts/http-requests";
import type { ClusterDTO, ClusterEventDTO, HostDTO, MessageDTO, SeriesDTO, StatsDTO, TrafficRunDTO } from "../lib/contracts/http-replies";
import { Books } from "./books/books";
import { BridgeClient } from "./bridge/bridge-client";
import type { BridgeFrame } from "./bridge/protocol";
import { createFrameRouter } from "./bridge/frame-router";
import { ClusterModel } from "./cluster/model";
import type { Config } from "./config";
import { ApiError, ConflictError } from "./errors";
import type { FaultRegistry } from "./faults/registry";
import { createFaultRegistry } from "./faults/wire";
import { createActions } from "./scenarios/actions";
import { scenarios } from "./scenarios/library";
import { ScenarioRunner } from "./scenarios/runner";
import type { Identity } from "./identity";
import { fullCollection, idleCompactor } from "./idle-gc";
import { createLogger, type Logger } from "./log";
import { createRuntime } from "./runtime/factory";
import { RuntimeSupervisor } from "./runtime/supervisor";
import type { ReplayQuery, ReplayReply } from "../lib/contracts/replay";
import { ReplayReader } from "./replay/reader";
import type { SeriesRequest } from "./store/series";
import { Store } from "./store/store";
import type { TrafficRequest } from "./traffic/plan";
import { TrafficRuns } from "./traffic/runs";

/** A full collection once no message moved for this long (ms)… */
const IDLE_GC_QUIET_MS = 5000;
/** …and the heap holds this much more than after the last one. */
const IDLE_GC_GROWTH_BYTES = 32 * 2 ** 20;

/**
 * The dashboard's service facade, used by the HTTP route handlers and the socket hub. It wires
 * the parts and answers their questions: the runtime supervisor (runtime, bridge, scaling), the
 * frame router (bridge frames to model, books and traffic), the cluster model, the books (every
 * message's fate, in runs), the traffic runs and the store.
 */
export class Swarmscope {
  readonly model: ClusterModel;
  readonly books: Books;
  readonly store: Store;
  readonly trafficRuns: TrafficRuns;
  readonly faults: FaultRegistry;
  readonly scenarios: ScenarioRunner;
  private readonly supervisor: RuntimeSupervisor;
  private readonly log: Logger = createLogger("app");
  private readonly pendingEvents: ClusterEventDTO[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private idSeq = 0;

  constructor(
    readonly config: Config,
    readonly identity: Identity,
  ) {
    this.store = new Store(path.join(config.dataDir, "swarmscope.db"), config.retention, {
      counters: () => ({ rows: this.books.ledger.tally.rows(), dirty: this.books.ledger.tally.dirty }),
      // Only once a batch is on disk are its reports committed: the nodes drop them then.
      onWritten: (b) => this.books.committed(b.applied.values()),
      onHealth: (ok) => this.books.setStoreOk(ok),
      ...(config.testHooks ? { readOnly: () => fs.existsSync(path.join(config.dataDir, "store-read-only")) } : {}),
    });
    this.books = new Books({
      lossTimeoutMs: config.lossTimeoutMs,
      sameClock: (a, b) => this.model.hostOf(a) === this.model.hostOf(b),
      batch: this.store.holder,
      loader: this.store.queries,
      runs: this.store.queries,
      loadTracked: (id) => this.store.loadTracked(id),
      commit: (c) => void this.supervisor?.bridge.send({ t: "commit", ...c }),
      onRunSent: (run, node, n) => this.trafficRuns.onRunSent(run, node, n),
      onRunDone: (run, node, sent) => this.trafficRuns.onGeneratorDone(run, node, sent),
      warn: (m) => this.log.warn(m),
      cutReason: (from, to, since) => this.faults.gapReason(from, to, since),
    });
    const recovered = this.store.recover();
    this.books.restore(recovered.tally, recovered.unfinished);
    this.model = new ClusterModel({
      runtime: config.runtime,
      deploymentId: identity.deploymentId,
      counts: (node) => ({ sent: this.books.sentBy(node), received: this.books.inboundOf(node) }),
    });
    this.model.on("event", (e) => this.pendingEvents.push(e));
    this.trafficRuns = new TrafficRuns({
      send: (cmd) => this.supervisor.bridge.send(cmd),
      record: (e) => this.model.emit("event", { at: Date.now(), ...e }),
      shortName: (node) => this.model.short(node),
    });
    this.supervisor = new RuntimeSupervisor({
      kind: config.runtime,
      createRuntime: (kind) => createRuntime(kind, config, identity),
      createBridge: (runtime) =>
        new BridgeClient({ open: () => runtime.openBridge(), discovery: () => runtime.discovery(), log: createLogger("bridge") }),
      model: this.model,
      tickMs: config.tickMs,
      onFrame: ((route) => (f: BridgeFrame) => (route(this.acrossCut(f)), this.faults.onFrame(f)))(
        createFrameRouter({ model: this.model, books: this.books, traffic: this.trafficRuns, log: this.log }),
      ),
      onBridgeStatus: (status) => {
        // While the bridge is down no loss is judged: the nodes keep their reports until it is back.
        this.books.setBridgeUp(status === "up");
        if (status === "down") this.trafficRuns.onBridgeDown();
      },
      log: createLogger("runtime"),
    });
    this.faults = createFaultRegistry({
      model: this.model, books: this.books,
      tickMs: config.tickMs,
      kind: () => this.supervisor.kind,
      request: (cmd) => this.supervisor.bridge.request(cmd, 8000),
      kill: (node) => this.kill(node),
      freeze: (node, frozen) => this.freezeReplica(node, frozen),
      networkCut: () => this.supervisor.runtime.cutNodes?.bind(this.supervisor.runtime),
      remesh: () => void this.supervisor.bridge.send({ t: "peers" }),
    });
    this.scenarios = new ScenarioRunner(createActions(this, (cmd) => this.supervisor.bridge.request(cmd, 8000)), scenarios);
  }

  async start(): Promise<void> {
    await this.supervisor.start();
    this.every(3000, () => void this.supervisor.check());
    this.every(250, () => (this.faults.sweep(), this.books.sweep()));
    this.every(200, () => this.flushStore());
    this.every(60_000, () => this.store.enforceRetention());
    this.compactWhenIdle();
  }

  /** After a storm, once quiet, the heap's garbage goes back to the system (server/idle-gc.ts). */
  private compactWhenIdle(): void {
    const gc = fullCollection();
    if (!gc) return this.log.warn("no idle-time heap compaction: V8 refused --expose-gc");
    const collect = () => {
      const before = memoryMiB();
      const t0 = performance.now();
      gc();
      const after = memoryMiB();
      this.log.info(`idle: heap compacted in ${Math.round(performance.now() - t0)} ms, ${before.heapUsedMiB} → ${after.heapUsedMiB} MiB in use, RSS ${before.rssMiB} → ${after.rssMiB} MiB`);
    };
    const check = idleCompactor({ activity: () => this.books.traffic, quietMs: IDLE_GC_QUIET_MS, growthBytes: IDLE_GC_GROWTH_BYTES, collect });
    this.every(1000, check);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.supervisor.close();
    this.trafficRuns.close(); // after the bridge's last "down", which may schedule a push
    this.flushStore();
    this.store.close();
  }

  // ---- operations used by the HTTP API ----

  health() {
    return {
      status: "ok" as const,
      runtime: this.supervisor.kind,
      version: "0.1.0",
      bridge: this.supervisor.bridge.status,
      store: this.store.writerStatus(),
      memory: memoryMiB(),
    };
  }

  cluster(): ClusterDTO {
    return this.model.snapshot();
  }

  /** Deploy or scale (switching runtime first when asked); answers once the request is queued. */
  async scale(replicas: number, runtime?: RuntimeKind): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS) {
      throw new ApiError(400, `replicas must be an integer from 0 to ${MAX_REPLICAS}`);
    }
    await this.supervisor.scale(replicas, runtime);
  }

  /** Makes the runtime ready when it can be (Swarm: `docker swarm init`). */
  initRuntime(): Promise<ClusterDTO["runtimeStatus"]> {
    return this.supervisor.init();
  }

  switchTo(kind: RuntimeKind): Promise<void> {
    return this.supervisor.switchTo(kind);
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
      this.supervisor.bridge.send({ t: "send", id, from, to: target, content }); // may refuse (503): then nothing is tracked
      this.books.create(id, from, target, content);
      return id;
    });
  }

  async kill(name: string): Promise<void> {
    const r = this.model.findReplica(name);
    if (!r) throw new ApiError(404, `no replica named ${name}`);
    await this.supervisor.runtime.kill(r.id);
  }

  /** Freeze (SIGSTOP, docker pause) or thaw a replica, as a fault (GET /api/faults lists it); down after the net tick. */
  async freeze(name: string, frozen: boolean): Promise<void> {
    if (!this.model.findReplica(name)) throw new ApiError(404, `no replica named ${name}`);
    await (frozen ? this.faults.inject({ kind: "freeze", nodes: [name] }) : this.faults.thaw(name));
  }

  private async freezeReplica(name: string, frozen: boolean): Promise<void> {
    const r = this.model.findReplica(name);
    if (!r) throw new ApiError(404, `no replica named ${name}`);
    const rt = this.supervisor.runtime;
    const act = frozen ? rt.freeze : rt.thaw;
    if (!act) throw new ConflictError(`freeze and thaw are not available on the ${rt.kind} runtime here`);
    await act.call(rt, r.id);
  }

  /** The runtime's hosts (Swarm nodes) with their replicas; none on local. */
  hosts(): HostDTO[] {
    return this.supervisor.runtime.hosts?.() ?? [];
  }

  /** Cut a host off from the others (`cut`), or heal it. */
  async partitionHost(host: string, cut: boolean): Promise<HostDTO> {
    const rt = this.supervisor.runtime;
    const act = cut ? rt.partitionHost : rt.healHost;
    if (!act) throw new ApiError(404, `no host ${host}: the ${rt.kind} runtime has no hosts to partition`);
    const h = await act.call(rt, host);
    this.faults.noteHostCut(h.id, h.replicas, cut);
    return h;
  }

  setHostAvailability(host: string, availability: HostBody["availability"]): Promise<HostDTO> {
    const rt = this.supervisor.runtime;
    if (!rt.setHostAvailability) throw new ApiError(404, `no host ${host}: the ${rt.kind} runtime has no hosts`);
    return rt.setHostAvailability(host, availability);
  }

  messages(limit: number, after?: number): MessageDTO[] {
    this.flushStore();
    return this.store.listMessages(limit, after);
  }

  /** Any message: a tracked or seed one by its id, a bulk one by `p<pair>.<seq>` (from the runs). */
  message(id: string): MessageDTO | undefined {
    this.flushStore();
    return this.books.message(id) ?? this.store.getMessage(id);
  }

  stats(): StatsDTO {
    const w = this.store.writerStatus();
    return { ...this.books.stats(), store: { ok: w.ok, since: w.since, lastError: w.ok ? null : w.lastError, waiting: w.queued.reports } };
  }

  /** Throughput, losses, latency and nodes up per time bucket, from the stored history. */
  series(req: SeriesRequest): Promise<SeriesDTO> {
    this.flushStore();
    return this.store.series(req, Date.now(), () => new Promise((resolve) => setImmediate(resolve)));
  }

  /** A page of the stored history of a window, in time order (server/replay/), on a read-only connection. */
  replay(q: ReplayQuery): ReplayReply {
    this.flushStore();
    const reader = new ReplayReader(path.join(this.config.dataDir, "swarmscope.db"));
    try {
      return reader.page(q, Date.now(), this.config.lossTimeoutMs);
    } finally {
      reader.close();
    }
  }

  events(limit: number): ClusterEventDTO[] {
    this.flushStore();
    return this.store.listEvents(limit);
  }

  /** The inbox of a node through the seed protocol's `{get, Pid}`. */
  async inbox(name: string): Promise<unknown> {
    this.requireBridge();
    this.requireUp(name, "node");
    return this.supervisor.bridge.request({ t: "get", node: name });
  }

  /** The latest traffic run with its live progress (null before the first). */
  get traffic(): TrafficRunDTO | null {
    return this.trafficRuns.current();
  }

  startTraffic(req: TrafficRequest): TrafficRunDTO {
    this.requireBridge();
    return this.trafficRuns.start(req, this.model.upNodes());
  }

  /** Stops the running traffic run; 404 when none runs. */
  stopTraffic(): TrafficRunDTO {
    return this.trafficRuns.stop();
  }

  // ---- helpers ----

  /**
   * Writes what the books gathered, every 200 ms. Under a 200-node storm five writes a second took
   * 29 of the server's 41 CPU seconds (a write costs much the same up to thousands of runs: SQLite's
   * WAL takes every index page it dirtied whole, and the runs spread over all pairs). Fewer, larger
   * writes (every 10× the last one's cost, up to 2 s or 0.6 s) cut that to 9 s but stalled the
   * event loop long enough that the page's frame rate under a 50-node storm fell (1920×1080: 3-9
   * fps against 18-30); the way out is a write off the event loop (a worker thread).
   */
  private flushStore(): void {
    this.store.saveEvents(this.pendingEvents.splice(0));
  }

  /** A node lost across a host partition is down because of that partition: its reason says so. */
  private acrossCut(f: BridgeFrame): BridgeFrame {
    if (f.t !== "nodedown") return f;
    const why = this.faults.downReason(f.node) ?? (this.supervisor.runtime.isCutOff?.(f.node) ? "partition" : null);
    return why ? { ...f, reason: `${why}${f.reason ? `: ${f.reason}` : ""}` } : f;
  }

  private requireBridge(): void {
    const bridge = this.supervisor.bridge;
    if (bridge.status !== "up") throw new ApiError(503, `the bridge is ${bridge.status}${bridge.lastError ? `: ${bridge.lastError}` : ""}`);
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

/** The server's memory in MiB: resident, the JavaScript heap in use, and what lives outside it (buffers, native objects). */
function memoryMiB(): { rssMiB: number; heapUsedMiB: number; externalMiB: number } {
  const m = process.memoryUsage();
  const mib = (b: number) => Math.round(b / 2 ** 20);
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
}
