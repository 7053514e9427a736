import type { Readable, Writable } from "node:stream";
import type { DiscoverCommand } from "../bridge/protocol";
import type { RuntimeKind } from "../../lib/contracts/common";
import type { HostBody } from "../../lib/contracts/http-requests";
import type { HostDTO, ReplicaDTO, RuntimeStatusDTO } from "../../lib/contracts/http-replies";

/** The bridge's stdio, wherever the bridge runs (child process or container). */
export interface BridgeTransport {
  input: Writable; // frames to the bridge
  output: Readable; // frames from the bridge
  /** Called once when the bridge process or container ends. */
  onExit(cb: (reason: string) => void): void;
  kill(): Promise<void>;
}

/** The command that tells the bridge how to find this runtime's replicas (see erlang/PROTOCOL.md). */
export type { DiscoverCommand };

/** Whether the runtime can deploy; `problem` in words a user can act on ("no Docker engine", ...). */
export type RuntimeStatus = RuntimeStatusDTO;

export interface Replica extends ReplicaDTO {
  /** The Erlang node name this replica will register as, once known. */
  nodeName: string | null;
}

export interface RuntimeEvents {
  /** The replica list changed (state, restart, scale). */
  change(replicas: Replica[]): void;
  /** Progress text for long steps (image build, ...). */
  progress(phase: string): void;
  /** The hosts changed (Swarm nodes' state, their agents, partitions, placement). */
  hosts(hosts: HostDTO[]): void;
}

/** Where replicas run. One interface, two implementations: local processes and Docker Swarm. */
export interface Runtime {
  readonly kind: RuntimeKind;
  readonly deploymentId: string;
  status(): Promise<RuntimeStatus>;
  /** Deploy or scale to n replicas; 0 removes them all. Resolves once the runtime accepted it. */
  scale(n: number): Promise<void>;
  desired(): number;
  list(): Replica[];
  /** Kill one replica (process or task container); the restart policy brings it back. */
  kill(replicaId: string): Promise<void>;
  openBridge(): Promise<BridgeTransport>;
  discovery(): DiscoverCommand;
  on<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void;
  off<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void;
  /**
   * The bridge saw this node come up or go down: a hint to check its replica now rather than at
   * the next poll (local: its process after a nodedown; Swarm: a task on another host, whose state
   * no event of this engine announces).
   */
  nodeSeen?(nodeName: string, up: boolean): void;
  /** The hosts replicas run on (Swarm nodes); a runtime without hosts of its own has none. */
  hosts?(): HostDTO[];
  /** Freeze (SIGSTOP: `docker pause`) or thaw one replica, on whichever host it runs. */
  freeze?(replicaId: string): Promise<void>;
  thaw?(replicaId: string): Promise<void>;
  /** Cut a host off from the other hosts, or heal that cut; resolves to the host as it is now. */
  partitionHost?(host: string): Promise<HostDTO>;
  healHost?(host: string): Promise<HostDTO>;
  setHostAvailability?(host: string, availability: HostBody["availability"]): Promise<HostDTO>;
  /** A network-level partition between two groups of replicas (by node name), or its heal. */
  cutNodes?(a: string[], b: string[], cut: boolean): Promise<void>;
  /** Whether a node is across a host partition from the bridge (its nodedown is that partition). */
  isCutOff?(nodeName: string): boolean;
  /** Make the runtime ready when status() says canInit (Swarm: `docker swarm init`). */
  init?(): Promise<void>;
  /** Stop what this runtime started (local: every process). */
  close(): Promise<void>;
}
