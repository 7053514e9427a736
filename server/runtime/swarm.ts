import { EventEmitter } from "node:events";
import Dockerode from "dockerode";
import type { Logger } from "../log";
import { startBridgeContainer } from "./swarm-bridge";
import { type DockerEvent, type EventWatcher, watchEvents } from "./swarm-events";
import { LOCAL_BASE_IMAGE, ensureNodeImage } from "./swarm-image";
import { type Net, SwarmStack } from "./swarm-stack";
import { type SwarmTask, replicasFromTasks } from "./swarm-tasks";
import type { BridgeTransport, DiscoverCommand, Replica, Runtime, RuntimeEvents, RuntimeStatus } from "./types";

export interface SwarmRuntimeOptions {
  deploymentId: string;
  /** Stack name: service `<stack>_node`, network `<stack>_net`, secret `<stack>_cookie`. */
  stack?: string;
  cookie: string;
  repoRoot: string;
  log: Logger;
  /** The engine (a manager). Default: dockerode's default (DOCKER_HOST or /var/run/docker.sock). */
  docker?: Dockerode;
  /** FROM of the node image. Default: the offline base made by stack/base-image.sh. */
  baseImage?: string;
  /** Re-list tasks this often to repair missed events (ms). */
  relistMs?: number;
  /** Address for `swarm init` (default: Docker's choice, else 127.0.0.1). */
  advertiseAddr?: string;
}

type ErrorWithCode = Error & { code?: string; statusCode?: number };

/**
 * Replicas as the tasks of one Docker Swarm service (`<stack>_node`, endpoint mode dnsrr, restart
 * policy `any`) on an attachable overlay network, with the cookie as a Docker secret (see
 * swarm-stack.ts). Changes come from the Docker events stream, with a periodic re-list to repair
 * missed ones. The bridge is a plain container on that network (swarm-bridge.ts).
 *
 * The stack outlives the dashboard: close() leaves the service running, and a stack deployed with
 * `docker stack deploy -c stack/docker-stack.yml <stack>` is found and driven the same way (its
 * node name is read from the service's SWARMSCOPE_NAME).
 */
export class SwarmRuntime implements Runtime {
  readonly kind = "swarm" as const;
  readonly deploymentId: string;
  readonly stack: string;
  private readonly docker: Dockerode;
  private readonly log: Logger;
  private readonly res: SwarmStack;
  private readonly emitter = new EventEmitter();
  private replicas: Replica[] = [];
  private listed = "";
  private desiredCount = 0;
  private scaling = 0;
  private erlangName: string;
  private net: Net | null = null;
  private readonly hosts = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly refreshTimers = new Map<number, NodeJS.Timeout>();
  private watcher: EventWatcher | null = null;
  private relistTimer: NodeJS.Timeout | null = null;
  private readonly bridges = new Set<BridgeTransport>();
  private closed = false;

  constructor(private readonly opts: SwarmRuntimeOptions) {
    this.deploymentId = opts.deploymentId;
    this.stack = opts.stack ?? "swarmscope";
    this.docker = opts.docker ?? new Dockerode();
    this.log = opts.log;
    this.erlangName = `n-${this.deploymentId}`;
    this.res = new SwarmStack({
      docker: this.docker,
      stack: this.stack,
      deploymentId: this.deploymentId,
      cookie: opts.cookie,
      log: this.log,
      progress: (p) => this.progress(p),
    });
    this.startWatching();
  }

  get serviceName(): string {
    return this.res.serviceName;
  }

  get networkName(): string {
    return this.res.networkName;
  }

  // ---- Runtime ----

  async status(): Promise<RuntimeStatus> {
    try {
      await this.docker.ping();
    } catch (err) {
      return { ready: false, problem: this.engineProblem(err as ErrorWithCode) };
    }
    const info = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    const state = info.Swarm?.LocalNodeState ?? "unknown";
    if (state !== "active") {
      return {
        ready: false,
        problem: `the Docker engine is not in swarm mode (state: ${state}); initialise it with \`docker swarm init\``,
        canInit: state === "inactive",
      };
    }
    if (!info.Swarm?.ControlAvailable) {
      return { ready: false, problem: "this Docker engine is a swarm worker: point the dashboard at a swarm manager" };
    }
    return { ready: true };
  }

  /** `docker swarm init` on this engine (when status() says canInit). */
  async init(): Promise<void> {
    const st = await this.status();
    if (st.ready) return;
    if (!st.canInit) throw new Error(st.problem ?? "cannot initialise swarm mode");
    const addr = this.opts.advertiseAddr;
    this.log.info(`docker swarm init${addr ? ` --advertise-addr ${addr}` : ""}`);
    try {
      await this.docker.swarmInit({ ListenAddr: "0.0.0.0:2377", ...(addr ? { AdvertiseAddr: addr } : {}) });
    } catch (err) {
      // "could not choose an IP address to advertise since this system has multiple addresses"
      if (addr || !/advertise/i.test((err as Error).message)) throw err;
      this.log.info("docker swarm init: no single address to advertise; using 127.0.0.1");
      await this.docker.swarmInit({ ListenAddr: "0.0.0.0:2377", AdvertiseAddr: "127.0.0.1" });
    }
    this.scheduleRefresh(0);
  }

  /**
   * Builds what a deploy needs ahead of time (the node image, and the offline base image first
   * when it is missing), reporting through "progress"; resolves to the image tag.
   */
  prepare(): Promise<string> {
    return this.serialize(async () => {
      await this.requireReady();
      return this.ensureImage();
    });
  }

  scale(n: number): Promise<void> {
    return this.serialize(() => this.doScale(n));
  }

  desired(): number {
    return this.desiredCount;
  }

  list(): Replica[] {
    return this.replicas;
  }

  async kill(replicaId: string): Promise<void> {
    const find = () => this.replicas.find((r) => r.id === replicaId || r.taskId === replicaId);
    let r = find();
    if (!r) {
      await this.refresh();
      r = find();
    }
    if (!r) throw new Error(`no task ${replicaId} in service ${this.serviceName}`);
    if (!r.containerId) throw new Error(`task ${replicaId} has no container yet (state ${r.state})`);
    this.log.info(`docker kill ${r.containerId.slice(0, 12)} (task ${r.id}, slot ${r.slot}, ${r.nodeName ?? "no node"})`);
    try {
      await this.docker.getContainer(r.containerId).kill();
    } catch (err) {
      const e = err as ErrorWithCode;
      if (e.statusCode === 404) {
        throw new Error(`the container of task ${replicaId} is not on this Docker engine (it runs on ${r.host})`);
      }
      if (e.statusCode === 409) throw new Error(`the container of task ${replicaId} is not running`);
      this.log.error(`docker kill ${r.containerId.slice(0, 12)}: ${e.message}`);
      throw err;
    }
    this.scheduleRefresh(50);
  }

  openBridge(): Promise<BridgeTransport> {
    return this.serialize(async () => {
      await this.requireReady();
      const image = await this.ensureImage();
      const net = (this.net = await this.res.ensureNetwork());
      await this.refresh(); // learn the replicas' node name (a CLI-deployed stack may use another)
      const transport = await startBridgeContainer({
        docker: this.docker,
        name: `${this.stack}_bridge-${this.deploymentId}`,
        image,
        network: this.networkName,
        env: [
          `SWARMSCOPE_NAME=bridge-${this.deploymentId}`,
          `SWARMSCOPE_DEPLOYMENT=${this.deploymentId}`,
          ...(net.subnet ? [`SWARMSCOPE_SUBNET=${net.subnet}`] : []),
        ],
        labels: { "swarmscope.role": "bridge", "swarmscope.stack": this.stack, "swarmscope.deployment": this.deploymentId },
        cookie: this.opts.cookie,
        log: this.log,
      });
      this.bridges.add(transport);
      transport.onExit(() => this.bridges.delete(transport));
      return transport;
    });
  }

  discovery(): DiscoverCommand {
    return { t: "discover", mode: "dns", query: `tasks.${this.serviceName}`, name: this.erlangName };
  }

  on<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.on(event, cb);
  }

  off<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.off(event, cb);
  }

  /** Stops watching and removes the bridge container; the service keeps running. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.relistTimer) clearInterval(this.relistTimer);
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    this.refreshTimers.clear();
    await Promise.all([...this.bridges].map((b) => b.kill()));
  }

  // ---- scale ----

  private async doScale(n: number): Promise<void> {
    if (this.closed) throw new Error("runtime closed");
    if (!Number.isInteger(n) || n < 0) throw new Error(`replicas must be a whole number >= 0, not ${n}`);
    this.scaling++;
    this.desiredCount = n;
    try {
      await this.requireReady();
      const existing = await this.res.findService();
      if (n === 0) {
        if (existing) await this.res.removeService(existing);
        return;
      }
      const image = await this.ensureImage();
      const net = (this.net = await this.res.ensureNetwork());
      const secret = await this.res.ensureSecret();
      if (existing) await this.res.updateService(existing, n, image, secret);
      else await this.res.createService(n, image, net, secret);
      this.progress(`starting replicas (${n})`);
    } finally {
      this.scaling--;
      this.scheduleRefresh(0);
    }
  }

  private ensureImage(): Promise<string> {
    return ensureNodeImage({
      docker: this.docker,
      repoRoot: this.opts.repoRoot,
      baseImage: this.opts.baseImage ?? LOCAL_BASE_IMAGE,
      log: this.log,
      progress: (p) => this.progress(p),
    });
  }

  // ---- watching ----

  private startWatching(): void {
    this.watcher = watchEvents(this.docker, (ev) => this.onDockerEvent(ev), this.log, () => this.scheduleRefresh(0));
    this.relistTimer = setInterval(() => void this.refresh(), this.opts.relistMs ?? 3000);
    this.relistTimer.unref();
  }

  private onDockerEvent(ev: DockerEvent): void {
    const a = ev.Actor?.Attributes ?? {};
    const relevant =
      (ev.Type === "container" && a["com.docker.swarm.service.name"] === this.serviceName) ||
      (ev.Type === "service" && a.name === this.serviceName) ||
      ev.Type === "node";
    if (!relevant) return;
    this.log.debug(`docker event ${ev.Type} ${ev.Action} ${a.name ?? ev.Actor?.ID ?? ""}`);
    // The task's own state (running, failed, ...) reaches the manager a moment after the
    // container event: look again shortly after.
    this.scheduleRefresh(30);
    this.scheduleRefresh(500);
    this.scheduleRefresh(1500);
  }

  private scheduleRefresh(ms: number): void {
    if (this.closed || this.refreshTimers.has(ms)) return;
    const t = setTimeout(() => {
      this.refreshTimers.delete(ms);
      void this.refresh();
    }, ms);
    t.unref();
    this.refreshTimers.set(ms, t);
  }

  /** Re-lists the service's tasks; concurrent calls share one run (plus one more if asked meanwhile). */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          await this.relist();
        } catch (err) {
          this.log.debug(`re-list failed: ${(err as Error).message}`);
        }
      } while (this.refreshAgain && !this.closed);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async relist(): Promise<void> {
    const svc = await this.res.findService();
    let replicas: Replica[] = [];
    if (!svc) {
      if (this.scaling === 0) this.desiredCount = 0;
    } else {
      const cs = svc.Spec?.TaskTemplate?.ContainerSpec;
      const nameVar = (cs?.Env ?? []).find((e) => e.startsWith("SWARMSCOPE_NAME="));
      this.erlangName = nameVar ? nameVar.slice("SWARMSCOPE_NAME=".length) : `n-${this.deploymentId}`;
      if (this.scaling === 0) this.desiredCount = svc.Spec?.Mode?.Replicated?.Replicas ?? 0;
      const tasks = ((await this.docker.listTasks({ filters: { service: [this.serviceName] } })) as SwarmTask[]).filter(
        (t) => (t as SwarmTask & { ServiceID?: string }).ServiceID === svc.ID,
      );
      await this.learnHosts(tasks);
      replicas = replicasFromTasks(tasks, {
        desired: this.desiredCount,
        networkId: svc.Spec?.TaskTemplate?.Networks?.[0]?.Target ?? this.net?.id ?? null,
        networkName: this.networkName,
        erlangName: this.erlangName,
        hosts: this.hosts,
      });
    }
    const key = JSON.stringify(replicas);
    if (key === this.listed) return;
    this.listed = key;
    this.replicas = replicas;
    this.emitter.emit("change", replicas);
  }

  private async learnHosts(tasks: SwarmTask[]): Promise<void> {
    if (tasks.every((t) => !t.NodeID || this.hosts.has(t.NodeID))) return;
    const nodes = (await this.docker.listNodes()) as Array<{ ID: string; Description?: { Hostname?: string } }>;
    for (const n of nodes) this.hosts.set(n.ID, n.Description?.Hostname ?? n.ID);
  }

  // ---- helpers ----

  private async requireReady(): Promise<void> {
    const st = await this.status();
    if (!st.ready) throw new Error(st.problem ?? "the Docker engine is not ready");
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private progress(phase: string): void {
    this.log.debug(`progress: ${phase}`);
    this.emitter.emit("progress", phase);
  }

  private engineProblem(err: ErrorWithCode): string {
    const modem = this.docker.modem as unknown as { socketPath?: unknown; host?: string };
    const where = typeof modem.socketPath === "string" ? modem.socketPath : (modem.host ?? "DOCKER_HOST");
    if (err.code === "EACCES" || err.code === "EPERM") {
      return `no permission on the Docker socket ${where}: run the dashboard as root or add its user to the docker group`;
    }
    if (err.code === "ENOENT" || err.code === "ECONNREFUSED") {
      return `no Docker engine at ${where}: start dockerd (scripts/start-docker.sh does it) or set DOCKER_HOST`;
    }
    return `the Docker engine at ${where} does not answer: ${err.message}`;
  }
}
