import type { Logger } from "../log";
import type { DockerClients } from "./swarm-docker";
import { type DockerEvent, type EventWatcher, watchEvents } from "./swarm-events";
import type { SwarmNode } from "./swarm-hosts";
import type { SwarmStack } from "./swarm-stack";
import { type SwarmTask, replicasFromTasks } from "./swarm-tasks";
import type { Replica } from "./types";

export interface SwarmWatchOptions {
  docker: DockerClients;
  stack: SwarmStack;
  deploymentId: string;
  log: Logger;
  /** Re-list tasks this often to repair missed events (ms). */
  relistMs: number;
  /** The overlay network's id when the service names none (the one the runtime made). */
  networkId: () => string | null;
  /** Told the service's replica count (0 without a service); answers the count to judge tasks by. */
  syncDesired: (fromService: number) => number;
  onChange: (replicas: Replica[]) => void;
  /** Swarm's nodes (the hosts), when they changed: state, availability, role. */
  onNodes: (nodes: SwarmNode[]) => void;
}

/**
 * The replicas of one stack's service, kept current: the Docker events stream says when to look,
 * a re-list of the service's tasks says what is there (and a periodic re-list repairs missed
 * events). onChange is called only when the list really changed.
 */
export class SwarmWatch {
  private replicas: Replica[] = [];
  private listed = "";
  private name: string;
  private readonly hosts = new Map<string, string>();
  private nodes: SwarmNode[] = [];
  private nodesKey = "";
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly refreshTimers = new Map<number, NodeJS.Timeout>();
  private readonly events: EventWatcher;
  private readonly relistTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: SwarmWatchOptions) {
    this.name = `n-${o.deploymentId}`;
    this.events = watchEvents(o.docker.streams, (ev) => this.onDockerEvent(ev), o.log, () => this.scheduleRefresh(0));
    this.relistTimer = setInterval(() => void this.refresh(), o.relistMs);
    this.relistTimer.unref();
  }

  list(): Replica[] {
    return this.replicas;
  }

  /** Swarm's nodes as last listed. */
  swarmNodes(): SwarmNode[] {
    return this.nodes;
  }

  /** Reconnects the events stream now if it is waiting to retry (the engine is back). */
  kick(): void {
    this.events.kick();
  }

  /** The replicas' Erlang name (before `@`): the service's SWARMSCOPE_NAME, as a CLI-deployed stack may set another. */
  erlangName(): string {
    return this.name;
  }

  close(): void {
    this.closed = true;
    this.events.close();
    clearInterval(this.relistTimer);
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    this.refreshTimers.clear();
  }

  scheduleRefresh(ms: number): void {
    if (this.closed || this.refreshTimers.has(ms)) return;
    const t = setTimeout(() => {
      this.refreshTimers.delete(ms);
      void this.refresh();
    }, ms);
    t.unref();
    this.refreshTimers.set(ms, t);
  }

  /** Re-lists the service's tasks; concurrent calls share one run (plus one more if asked meanwhile). */
  refresh(): Promise<void> {
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
          this.o.log.debug(`re-list failed: ${(err as Error).message}`);
        }
      } while (this.refreshAgain && !this.closed);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private onDockerEvent(ev: DockerEvent): void {
    const a = ev.Actor?.Attributes ?? {};
    const service = this.o.stack.serviceName;
    const relevant =
      (ev.Type === "container" && a["com.docker.swarm.service.name"] === service) ||
      (ev.Type === "service" && a.name === service) ||
      ev.Type === "node";
    if (!relevant) return;
    this.o.log.debug(`docker event ${ev.Type} ${ev.Action} ${a.name ?? ev.Actor?.ID ?? ""}`);
    // The task's own state (running, failed, ...) reaches the manager a moment after the
    // container event: look again shortly after.
    this.scheduleRefresh(30);
    this.scheduleRefresh(500);
    this.scheduleRefresh(1500);
  }

  private async relist(): Promise<void> {
    await this.listNodes().catch((err: Error) => this.o.log.debug(`listing the Swarm nodes failed: ${err.message}`));
    const svc = await this.o.stack.findService();
    let replicas: Replica[] = [];
    if (!svc) {
      this.o.syncDesired(0);
    } else {
      const nameVar = (svc.Spec?.TaskTemplate?.ContainerSpec?.Env ?? []).find((e) => e.startsWith("SWARMSCOPE_NAME="));
      this.name = nameVar ? nameVar.slice("SWARMSCOPE_NAME=".length) : `n-${this.o.deploymentId}`;
      const desired = this.o.syncDesired(svc.Spec?.Mode?.Replicated?.Replicas ?? 0);
      const tasks = await this.tasksOf(svc.ID);
      replicas = replicasFromTasks(tasks, {
        desired,
        networkId: svc.Spec?.TaskTemplate?.Networks?.[0]?.Target ?? this.o.networkId(),
        networkName: this.o.stack.networkName,
        erlangName: this.name,
        hosts: this.hosts,
      });
    }
    const key = JSON.stringify(replicas);
    if (key === this.listed) return;
    this.listed = key;
    this.replicas = replicas;
    this.o.onChange(replicas);
  }

  /** The tasks of this very service (a service of the same name, removed and made again, has other ones). */
  private async tasksOf(serviceId: string): Promise<SwarmTask[]> {
    const tasks = (await this.o.docker.api.listTasks({ filters: { service: [this.o.stack.serviceName] } })) as Array<
      SwarmTask & { ServiceID?: string }
    >;
    return tasks.filter((t) => t.ServiceID === serviceId);
  }

  /** Swarm's nodes: hostnames for the replicas, and the hosts' state (a node event asks again). */
  private async listNodes(): Promise<void> {
    const nodes = (await this.o.docker.api.listNodes()) as SwarmNode[];
    for (const n of nodes) this.hosts.set(n.ID, n.Description?.Hostname ?? n.ID);
    const key = JSON.stringify(nodes.map((n) => [n.ID, n.Spec, n.Status, n.ManagerStatus, n.Description?.Hostname]));
    if (key === this.nodesKey) return;
    this.nodesKey = key;
    this.nodes = nodes;
    this.o.onNodes(nodes);
  }
}
