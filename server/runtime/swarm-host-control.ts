import type { HostDTO } from "../../lib/contracts/http-replies";
import { ConflictError, NotFoundError } from "../errors";
import type { Logger } from "../log";
import { type OverlayServiceOptions, serviceContainer, startOverlayService } from "./swarm-bridge";
import { type DockerClients, userFacingDockerError } from "./swarm-docker";
import { HostFaults } from "./swarm-host-faults";
import { NodeCuts } from "./swarm-node-cuts";
import { type Member, type SwarmNode, hostsFromNodes, membersOf } from "./swarm-hosts";
import { AgentRelay } from "./swarm-relay";
import type { Replica } from "./types";

export type ContainerOp = "kill" | "pause" | "unpause";
export type Availability = "active" | "pause" | "drain";

export interface HostControlOptions {
  docker: DockerClients;
  stack: string;
  deploymentId: string;
  log: Logger;
  /** The bridge service's name: its task is a member of the overlay a partition cuts too. */
  bridgeName: string;
  replicas: () => Replica[];
  nodes: () => SwarmNode[];
  /** The relay's one-replica service on the overlay (made as the bridge's is). */
  relayService: () => Promise<OverlayServiceOptions>;
  /** The agents' Erlang name (before `@`): the agent service's, as a CLI-deployed stack may set another. */
  agentName: () => Promise<string>;
  /** The hosts changed (agents, partitions); the runtime tells the model. */
  changed: () => void;
  /** Lists Swarm's nodes and tasks again (after a change made through the API). */
  refresh: () => Promise<void>;
}

/**
 * Actions on any host of the Swarm. A container on the dashboard's own engine is acted on through
 * its Docker API; one on another host through that host's agent (the stack's global `agent`
 * service), reached over the overlay by the relay. Host partitions and Swarm availability too.
 */
export class SwarmHostControl {
  readonly relay: AgentRelay;
  /** Partitions between groups of replicas (POST /api/faults), by the agents too. */
  readonly nodeCuts: NodeCuts;
  private readonly faults: HostFaults;
  private selfId: string | null = null;

  constructor(private readonly o: HostControlOptions) {
    this.relay = new AgentRelay({
      open: () => this.openRelay(),
      discover: async () => ({ query: `tasks.${o.stack}_agent`, name: await o.agentName() }),
      log: o.log,
      onAgents: () => o.changed(),
    });
    this.faults = new HostFaults({
      call: (host, op) => this.relay.call(host, op),
      members: () => this.members(),
      hostname: (host) => this.hostname(host),
      log: o.log,
    });
    this.nodeCuts = new NodeCuts({ call: (host, op) => this.relay.call(host, op), replicas: o.replicas, log: o.log });
  }

  /** The Swarm node id of the dashboard's engine (asked once). */
  async self(): Promise<string> {
    if (this.selfId) return this.selfId;
    const info = (await this.o.docker.api.info()) as { Swarm?: { NodeID?: string } };
    this.selfId = info.Swarm?.NodeID || null;
    if (!this.selfId) throw new ConflictError("the Docker engine is not a swarm node");
    return this.selfId;
  }

  hosts(): HostDTO[] {
    return hostsFromNodes(this.o.nodes(), this.o.replicas(), {
      self: this.selfId,
      agents: new Set(this.relay.reachable().keys()),
      partitioned: this.faults.partitioned(),
    });
  }

  /** Kill, pause or unpause a replica's container, wherever it runs. */
  async act(r: Replica, op: ContainerOp): Promise<void> {
    if (!r.containerId) throw new ConflictError(`task ${r.id} has no container yet (state ${r.state})`);
    const where = r.hostId && r.hostId !== (await this.self()) ? r.hostId : null;
    this.o.log.info(`${op} ${r.containerId.slice(0, 12)} (task ${r.id}, slot ${r.slot}, on ${r.host}${where ? ", through its agent" : ""})`);
    if (where) {
      await this.relay.call(where, { op, container: r.containerId });
      return;
    }
    try {
      const c = this.o.docker.api.getContainer(r.containerId);
      await (op === "kill" ? c.kill() : op === "pause" ? c.pause() : c.unpause());
    } catch (err) {
      throw userFacingDockerError(err, {
        notFound: `no such container for task ${r.id} on ${r.host}`,
        conflict: `${op} of the container of task ${r.id}: ${op === "unpause" ? "it is not paused" : "it is not running, or paused"}`,
      });
    }
  }

  partition(hostId: string): Promise<HostDTO> {
    return this.withHost(hostId, (h) => this.faults.partition(h.id));
  }

  heal(hostId: string): Promise<HostDTO> {
    return this.withHost(hostId, (h) => this.faults.heal(h.id));
  }

  /** Swarm's availability of a node: `drain` moves its tasks to the other nodes. */
  setAvailability(hostId: string, availability: Availability): Promise<HostDTO> {
    return this.withHost(hostId, async (h) => {
      const node = this.o.nodes().find((n) => n.ID === h.id)!;
      const fresh = (await this.o.docker.api.getNode(node.ID).inspect()) as SwarmNode;
      this.o.log.info(`node ${h.hostname}: availability ${fresh.Spec?.Availability} → ${availability}`);
      await this.o.docker.api
        .getNode(node.ID)
        .update({ version: fresh.Version?.Index, ...fresh.Spec, Availability: availability } as unknown as object);
    });
  }

  /** True when `nodeName`'s replica is on the other side of a host partition from the bridge. */
  isCutOff(nodeName: string): boolean {
    const r = this.o.replicas().find((x) => x.nodeName === nodeName);
    if (!r?.hostId || !this.selfId) return false;
    // across a cut: exactly one of the two (the node's host, the bridge's) is the cut-off host
    return [...this.faults.partitioned().keys()].some((cut) => (r.hostId === cut) !== (this.selfId === cut));
  }

  /** The replicas changed: replacement tasks on a cut host are cut as well. */
  replicasChanged(): void {
    void this.faults.refresh().catch((err: Error) => this.o.log.warn(`partition refresh: ${err.message}`));
  }

  close(): Promise<void> {
    return this.relay.close();
  }

  private async withHost(hostId: string, fn: (h: HostDTO) => Promise<unknown>): Promise<HostDTO> {
    await this.self();
    const find = () => this.hosts().find((x) => x.id === hostId || x.hostname === hostId);
    const h = find();
    if (!h) throw new NotFoundError(`no Swarm node ${hostId}; hosts: ${this.hosts().map((x) => `${x.hostname} (${x.id.slice(0, 12)})`).join(", ") || "none"}`);
    try {
      await fn(h);
    } catch (err) {
      throw userFacingDockerError(err, { notFound: `no Swarm node ${hostId}`, conflict: `node ${h.hostname}: ${(err as Error).message}` });
    }
    await this.o.refresh();
    this.o.changed();
    return find() ?? h;
  }

  private hostname(host: string): string {
    return this.o.nodes().find((n) => n.ID === host)?.Description?.Hostname ?? host.slice(0, 12);
  }

  /** Running replicas, and the bridge's container (on the dashboard's own host). */
  private async members(): Promise<Member[]> {
    const members = membersOf(this.o.replicas());
    const bridge = await this.bridgeMember();
    return bridge ? [...members, bridge] : members;
  }

  private async bridgeMember(): Promise<Member | null> {
    const c = await serviceContainer(this.o.docker.api, this.o.bridgeName, `${this.o.stack}_net`);
    return c?.ip ? { host: await this.self(), container: c.id, ip: c.ip } : null;
  }

  private async openRelay() {
    return startOverlayService(await this.o.relayService());
  }
}
