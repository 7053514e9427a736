import type Dockerode from "dockerode";
import type { HostBody } from "../../lib/contracts/http-requests";
import type { HostDTO } from "../../lib/contracts/http-replies";
import { NotFoundError } from "../errors";
import type { Logger } from "../log";
import { AgentService } from "./swarm-agent-service";
import { type OverlayServiceOptions, startOverlayService } from "./swarm-bridge";
import { DOCKER_TIMEOUT_MS, type DockerClients, dockerClients } from "./swarm-docker";
import { type Reachability, engineStatus, initSwarm } from "./swarm-engine";
import { type ContainerOp, SwarmHostControl } from "./swarm-host-control";
import { LOCAL_BASE_IMAGE, ensureNodeImage } from "./swarm-image";
import { NS_LABEL, type Net, SwarmStack, secretRef } from "./swarm-stack";
import { SwarmWatch } from "./swarm-watch";
import { RuntimeEmitter } from "./runtime-emitter";
import type { BridgeTransport, DiscoverCommand, Replica, Runtime, RuntimeStatus } from "./types";

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
  /** Address (or interface) for `swarm init` to listen on and advertise (default: 127.0.0.1). */
  advertiseAddr?: string;
  /** The overlay network created encrypted (`--opt encrypted`). */
  overlayEncrypted?: boolean;
  /** Environment of the base image build (no secret in it). */
  env?: NodeJS.ProcessEnv;
  /** Deadline of each Docker API call (ms; streams have none). Default: DOCKER_TIMEOUT_MS (10 s). */
  dockerTimeoutMs?: number;
  /** The nodes' net tick in ms (SWARMSCOPE_TICK_MS; net_ticktime in whole seconds). Default 2000. */
  tickMs?: number;
}

/**
 * Replicas as the tasks of one Docker Swarm service (`<stack>_node`, endpoint mode dnsrr, restart
 * policy `any`) on an overlay network that is not attachable, with the cookie as a Docker secret
 * (see swarm-stack.ts). Changes come from the Docker events stream, with a periodic re-list to
 * repair missed ones (swarm-watch.ts). The bridge and the relay are one-replica services on that
 * network, pinned to this engine (swarm-bridge.ts).
 * Every Docker API call has a deadline (swarm-docker.ts); Docker's 404 and 409 on a user's
 * request become NotFoundError and ConflictError.
 *
 * The stack outlives the dashboard: close() leaves the service running, and a stack deployed with
 * `docker stack deploy -c stack/docker-stack.yml <stack>` is found and driven the same way (its
 * node name is read from the service's SWARMSCOPE_NAME).
 *
 * Several hosts: the stack has a host agent on every Swarm node (service `<stack>_agent`, mode
 * global), so kill, freeze and partitions reach a task on any host (swarm-host-control.ts).
 */
export class SwarmRuntime extends RuntimeEmitter implements Runtime {
  readonly kind = "swarm" as const;
  readonly deploymentId: string;
  readonly stack: string;
  private readonly docker: DockerClients;
  private readonly log: Logger;
  private readonly res: SwarmStack;
  private readonly watch: SwarmWatch;
  private readonly agents: AgentService;
  private readonly control: SwarmHostControl;
  private readonly reach: Reachability = { since: null };
  private hostsKey = "";
  private desiredCount = 0;
  private scaling = 0;
  private net: Net | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly bridges = new Set<BridgeTransport>();
  private closed = false;

  constructor(private readonly opts: SwarmRuntimeOptions) {
    super();
    this.deploymentId = opts.deploymentId;
    this.stack = opts.stack ?? "swarmscope";
    this.docker = dockerClients(opts.docker, opts.dockerTimeoutMs ?? DOCKER_TIMEOUT_MS);
    this.log = opts.log;
    const parts = { docker: this.docker.api, stack: this.stack, deploymentId: this.deploymentId, tickMs: this.tickMs, log: this.log };
    const progress = (p: string) => this.progress(p);
    this.res = new SwarmStack({ ...parts, cookie: opts.cookie, progress, encrypted: opts.overlayEncrypted });
    this.agents = new AgentService({ ...parts, progress });
    this.watch = new SwarmWatch({
      docker: this.docker,
      stack: this.res,
      deploymentId: this.deploymentId,
      log: this.log,
      relistMs: opts.relistMs ?? 3000,
      networkId: () => this.net?.id ?? null,
      syncDesired: (fromService) => {
        if (this.scaling === 0) this.desiredCount = fromService;
        return this.desiredCount;
      },
      onChange: (replicas) => {
        this.emitter.emit("change", replicas);
        this.control.replicasChanged();
        this.emitHosts();
      },
      onNodes: () => this.emitHosts(),
    });
    this.control = new SwarmHostControl({
      docker: this.docker,
      stack: this.stack,
      deploymentId: this.deploymentId,
      log: this.log,
      bridgeName: `${this.stack}_bridge-${this.deploymentId}`,
      replicas: () => this.watch.list(),
      nodes: () => this.watch.swarmNodes(),
      relayService: () => this.overlayService("relay"),
      agentName: () => this.agents.erlangName(),
      changed: () => this.emitHosts(),
      refresh: () => this.watch.refresh(),
    });
  }

  private get tickMs(): number {
    return this.opts.tickMs ?? 2000;
  }

  get serviceName(): string {
    return this.res.serviceName;
  }

  get networkName(): string {
    return this.res.networkName;
  }

  // ---- Runtime ----

  /** Ready or not; an engine that stops answering is "unreachable since", and watched again once back. */
  async status(): Promise<RuntimeStatus> {
    const was = this.reach.since;
    const st = await engineStatus(this.docker.api, this.reach);
    if (was !== null && this.reach.since === null) {
      this.log.info(`the Docker engine answers again (unreachable for ${((Date.now() - was) / 1000).toFixed(1)} s): re-listing`);
      this.watch.kick();
      this.watch.scheduleRefresh(0);
    }
    if (st.ready) await this.control.self().catch(() => null); // the hosts say which one is the dashboard's
    return st;
  }

  /** `docker swarm init` on this engine (when status() says canInit). */
  async init(): Promise<void> {
    const st = await this.status();
    if (st.ready) return;
    if (!st.canInit) throw new Error(st.problem ?? "cannot initialise swarm mode");
    await initSwarm(this.docker.api, this.opts.advertiseAddr, this.log);
    this.watch.scheduleRefresh(0);
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
    return this.watch.list();
  }

  /**
   * A node up or down whose task the last list shows otherwise: list again soon. The Docker events
   * this engine streams are its own containers' only, so a task on another host is otherwise seen
   * "running" (or gone) at the next periodic re-list, seconds after its node joined (or left).
   */
  nodeSeen(nodeName: string, up: boolean): void {
    const r = this.watch.list().find((x) => x.nodeName === nodeName);
    if (!r || (r.state === "running") !== up) this.watch.scheduleRefresh(100);
  }

  /** `docker kill`, `docker pause` (freeze: the cgroup freezer), `docker unpause` of the task's container, on any host. */
  kill = (replicaId: string): Promise<void> => this.act(replicaId, "kill");
  freeze = (replicaId: string): Promise<void> => this.act(replicaId, "pause");
  thaw = (replicaId: string): Promise<void> => this.act(replicaId, "unpause");
  hosts = (): HostDTO[] => this.control.hosts();
  partitionHost = (host: string): Promise<HostDTO> => this.control.partition(host);
  healHost = (host: string): Promise<HostDTO> => this.control.heal(host);
  isCutOff = (nodeName: string): boolean => this.control.isCutOff(nodeName);
  cutNodes = (a: string[], b: string[], cut: boolean): Promise<void> => (cut ? this.control.nodeCuts.cut(a, b) : this.control.nodeCuts.heal());

  setHostAvailability = (host: string, availability: HostBody["availability"]): Promise<HostDTO> =>
    this.control.setAvailability(host, availability);

  openBridge(): Promise<BridgeTransport> {
    return this.serialize(async () => {
      await this.requireReady();
      const options = await this.overlayService("bridge");
      await this.watch.refresh(); // learn the replicas' node name (a CLI-deployed stack may use another)
      const transport = await startOverlayService(options);
      this.bridges.add(transport);
      transport.onExit(() => this.bridges.delete(transport));
      // The way to the host agents: started beside the bridge (it finds the agents once deployed).
      void this.control.relay.ensure().catch((err: Error) => this.log.warn(`the relay to the host agents: ${err.message}`));
      return transport;
    });
  }

  discovery(): DiscoverCommand {
    return { t: "discover", mode: "dns", query: `tasks.${this.serviceName}`, name: this.watch.erlangName() };
  }

  /** Stops watching and removes the bridge and relay services; the stack's services keep running. */
  async close(): Promise<void> {
    this.closed = true;
    this.watch.close();
    await Promise.all([...[...this.bridges].map((b) => b.kill()), this.control.close()]);
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
        await this.agents.remove();
        return;
      }
      const image = await this.ensureImage();
      const net = (this.net = await this.res.ensureNetwork());
      const secret = await this.res.ensureSecret();
      if (existing) await this.res.updateService(existing, n, image, secret);
      else await this.res.createService(n, image, net, secret);
      await this.agents.ensure(image, net, secret, this.res.secretName);
      this.progress(`starting replicas (${n})`);
    } finally {
      this.scaling--;
      this.watch.scheduleRefresh(0);
    }
  }

  private ensureImage(): Promise<string> {
    return ensureNodeImage({
      docker: this.docker,
      repoRoot: this.opts.repoRoot,
      baseImage: this.opts.baseImage ?? LOCAL_BASE_IMAGE,
      env: this.opts.env,
      log: this.log,
      progress: (p) => this.progress(p),
    });
  }

  // ---- helpers ----

  /**
   * The bridge's or the relay's service `<stack>_<role>-<deployment>`: the node image, the overlay,
   * the cookie secret, the subnet to find its address on and the tick. Labelled with the stack's
   * namespace, so `docker stack rm` takes them too.
   */
  private async overlayService(role: OverlayServiceOptions["role"]): Promise<OverlayServiceOptions> {
    const image = await this.ensureImage();
    const net = (this.net = await this.res.ensureNetwork());
    const secret = await this.res.ensureSecret();
    const env = [`SWARMSCOPE_NAME=${role}-${this.deploymentId}`, `SWARMSCOPE_DEPLOYMENT=${this.deploymentId}`, `SWARMSCOPE_TICK_MS=${this.tickMs}`];
    return {
      docker: this.docker,
      role,
      name: `${this.stack}_${role}-${this.deploymentId}`,
      image,
      networkId: net.id,
      log: this.log,
      env: net.subnet ? [...env, `SWARMSCOPE_SUBNET=${net.subnet}`] : env,
      labels: { [NS_LABEL]: this.stack, "swarmscope.role": role, "swarmscope.deployment": this.deploymentId },
      secret: secretRef(secret, this.res.secretName),
    };
  }

  private emitHosts(): void {
    const hosts = this.control.hosts();
    const key = JSON.stringify(hosts);
    if (key === this.hostsKey) return;
    this.hostsKey = key;
    this.emitter.emit("hosts", hosts);
  }

  private async act(replicaId: string, op: ContainerOp): Promise<void> {
    await this.control.act(await this.findReplica(replicaId), op);
    this.watch.scheduleRefresh(50);
  }

  /** The replica by id or task id, re-listing once when it is not known yet. */
  private async findReplica(replicaId: string): Promise<Replica> {
    const find = () => this.list().find((r) => r.id === replicaId || r.taskId === replicaId);
    let r = find();
    // A task on another host changes state without an event here: re-list when it looks unstarted.
    if (!r?.containerId) {
      await this.watch.refresh();
      r = find();
    }
    if (!r) throw new NotFoundError(`no task ${replicaId} in service ${this.serviceName}`);
    return r;
  }

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
}
