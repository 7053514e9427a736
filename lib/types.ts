// Types shared by the browser and the server: the public HTTP DTOs and the socket.io events.

export type RuntimeKind = "local" | "swarm";
export type NodeStatus = "starting" | "up" | "down";

/** What the runtime (processes or Swarm tasks) says about one replica. */
export interface ReplicaDTO {
  id: string; // local: "n3"; swarm: task id
  slot: number;
  state: string; // local: starting|running|exited|restarting|stopped; swarm: task state (new, pending, running, ...)
  host: string; // "127.0.0.1" locally, the Swarm node's hostname on Swarm
  pid?: number;
  taskId?: string;
  containerId?: string;
  ip?: string;
  restarts: number;
  error?: string;
}

export interface NodeDTO {
  name: string; // Erlang node name, e.g. "n3-ab12cd@127.0.0.1"
  status: NodeStatus;
  host: string;
  slot: number | null;
  links: string[]; // Erlang node names this node has a distribution connection to
  sent: number;
  received: number;
  replica: ReplicaDTO | null; // null: an Erlang node that joined with no replica the runtime knows of
  /** Where runtime and Erlang disagree, e.g. "task running, node never joined". */
  flags: string[];
  since: number; // ms epoch of the last status change
  downReason?: string;
}

export interface ClusterDTO {
  runtime: RuntimeKind;
  deploymentId: string;
  desiredReplicas: number;
  nodes: NodeDTO[];
  bridge: { status: "starting" | "up" | "down"; node?: string; error?: string };
  /** Present while a deploy or scale is in progress. */
  progress: DeployProgressDTO | null;
  /** Whether the runtime can deploy: e.g. "no Docker engine", "not in swarm mode" (canInit: one click fixes it). */
  runtimeStatus: RuntimeStatusDTO;
}

export interface RuntimeStatusDTO {
  ready: boolean;
  problem?: string;
  canInit?: boolean;
}

export interface DeployProgressDTO {
  target: number;
  startedAt: number; // ms epoch
  phase: string; // e.g. "building image", "starting replicas", "waiting for nodes"
  replicasRunning: number;
  nodesUp: number;
  done: boolean;
  finishedAt?: number;
  error?: string;
}

export type MessageStatus = "pending" | "sent" | "received" | "acked" | "lost" | "failed";

export interface MessageDTO {
  id: string;
  from: string;
  to: string;
  content: string;
  status: MessageStatus;
  sentAt: number | null; // ms epoch (fractional), seen at the sender
  receivedAt: number | null; // seen at the receiver
  ackedAt: number | null; // ack seen back at the sender
  latencyMs: number | null;
  /** "one-way": receiver's clock minus sender's (same host); "half-rtt": half the acked round trip (hosts differ). */
  latencyKind?: "one-way" | "half-rtt";
  reason: string | null; // why lost / failed
  seed: boolean; // a plain seed-protocol message {send, From, Content}
}

export interface NodeCountsDTO {
  sent: number;
  received: number;
  acked: number;
  lost: number;
  inFlight: number;
}

/** Always: sent = received + lost + inFlight (received counts acked messages too). */
export interface StatsDTO extends NodeCountsDTO {
  failed: number;
  perNode: Record<string, NodeCountsDTO>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  at: number;
}

/**
 * One time bucket of GET /api/series, [t, t + durationMs): the messages sent in it (by sentAt; a
 * seed message by its reception), received in it (by receivedAt), and lost among those sent in it;
 * rates per second over durationMs; nearest-rank latency percentiles of the messages received in
 * it (null: none); the nodes up at its end.
 */
export interface SeriesPointDTO {
  t: number; // bucket start, ms epoch
  durationMs: number;
  sent: number;
  received: number;
  lost: number;
  sentPerS: number;
  receivedPerS: number;
  lostPerS: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  nodesUp: number;
}

/**
 * GET /api/series: at most `points` buckets of `bucketMs` (whole seconds, at least 1) tiling
 * [since, until); the last one runs to `until` (up to twice as long). The sums over the points
 * of sent, received and lost are the counters of /api/stats for that range.
 */
export interface SeriesDTO {
  since: number;
  until: number;
  bucketMs: number;
  points: SeriesPointDTO[];
}

export const MAX_SERIES_POINTS = 1000;

export interface ClusterEventDTO {
  at: number;
  kind: string; // "nodeup" | "nodedown" | "replica" | "deploy" | "bridge" | ...
  node?: string;
  text: string;
}

/**
 * A traffic run: GET/POST/DELETE /api/traffic and the socket's `traffic` event. `sent` is live:
 * the messages of this run (ids `<run>.<tag>.<seq>`) the dashboard has counted sent so far, the
 * same books as /api/stats. `reported` is what the generators said they sent when they ended.
 * A run ends `finished` (every generator ended by itself) or `stopped` (DELETE, or a new run).
 */
export interface TrafficRunDTO {
  run: string;
  pattern: string;
  state: "running" | "finished" | "stopped";
  startedAt: number; // ms epoch
  endedAt: number | null;
  expected: number;
  generators: number;
  done: number; // generators that ended: reported done, or their node (or the bridge) went down
  sent: number;
  reported: number;
  nodes: string[]; // the nodes running a generator
  pending: string[]; // those whose generator has not ended yet
}

export interface ServerToClientEvents {
  cluster: (c: ClusterDTO) => void;
  /** New or changed messages since the last batch (at most a few hundred per batch). */
  messages: (batch: { messages: MessageDTO[]; dropped: number }) => void;
  stats: (s: StatsDTO) => void;
  event: (e: ClusterEventDTO) => void;
  // Added with the traffic-run split (issue 7); to be carried over into lib/contracts/ at merge.
  /** The current traffic run: at most a few times a second while it runs, and once when it ends. */
  traffic: (t: TrafficRunDTO) => void;
}

// Control goes through the HTTP API; the socket is for live state only.
export type ClientToServerEvents = Record<string, never>;

export const MAX_REPLICAS = 64;
export const MAX_CONTENT_BYTES = 64 * 1024;
