import { z } from "zod";
import { bridgeStatus, count, epochMs, latencyKind, messageStatus, nodeStatus, runtimeKind, trafficPattern } from "./common";

// What the server sends: reply bodies of the HTTP API, also carried by the socket events and the
// JSON export. Objects are strict: a field the server sends and the contract does not describe is
// a drift, and the contract tests (tests/integration/harness.ts) fail on it.

/** What the runtime (processes or Swarm tasks) says about one replica. */
export const replicaSchema = z.strictObject({
  id: z.string(), // local: "n3"; swarm: task id
  slot: z.number().int(),
  state: z.string(), // local: starting|running|exited|restarting|stopped; swarm: the task state
  host: z.string(), // "127.0.0.1" locally, the Swarm node's hostname on Swarm
  pid: z.number().int().optional(),
  taskId: z.string().optional(),
  containerId: z.string().optional(),
  ip: z.string().optional(),
  restarts: count,
  error: z.string().optional(),
});
export type ReplicaDTO = z.infer<typeof replicaSchema>;

export const nodeSchema = z.strictObject({
  name: z.string(), // Erlang node name, e.g. "n3-ab12cd@127.0.0.1"
  status: nodeStatus,
  host: z.string(),
  slot: z.number().int().nullable(),
  links: z.array(z.string()), // the nodes this one has a distribution connection to
  sent: count,
  received: count,
  replica: replicaSchema.nullable(), // null: an Erlang node the runtime knows no replica of
  flags: z.array(z.string()), // where runtime and Erlang disagree, e.g. "node never joined"
  since: epochMs, // the last status change
  downReason: z.string().optional(),
});
export type NodeDTO = z.infer<typeof nodeSchema>;

/** Whether the runtime can deploy: a problem in words ("no Docker engine"); canInit: one click fixes it. */
export const runtimeStatusSchema = z.strictObject({
  ready: z.boolean(),
  problem: z.string().optional(),
  canInit: z.boolean().optional(),
});
export type RuntimeStatusDTO = z.infer<typeof runtimeStatusSchema>;

export const deployProgressSchema = z.strictObject({
  target: count,
  startedAt: epochMs,
  phase: z.string(), // "building image", "starting replicas", "waiting for Erlang nodes", "done"
  replicasRunning: count,
  nodesUp: count,
  done: z.boolean(),
  finishedAt: epochMs.optional(),
  error: z.string().optional(),
});
export type DeployProgressDTO = z.infer<typeof deployProgressSchema>;

export const bridgeStateSchema = z.strictObject({ status: bridgeStatus, node: z.string().optional(), error: z.string().optional() });

/** GET /api/cluster, and the socket's `cluster` event. */
export const clusterSchema = z.strictObject({
  runtime: runtimeKind,
  deploymentId: z.string(),
  desiredReplicas: count,
  nodes: z.array(nodeSchema),
  bridge: bridgeStateSchema,
  progress: deployProgressSchema.nullable(), // null: no deploy or scale asked since the start
  runtimeStatus: runtimeStatusSchema,
});
export type ClusterDTO = z.infer<typeof clusterSchema>;

const ms = z.number().nullable();

export const messageSchema = z.strictObject({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  content: z.string(),
  status: messageStatus,
  sentAt: ms, // ms epoch (fractional), seen at the sender
  receivedAt: ms, // seen at the receiver
  ackedAt: ms, // the ack seen back at the sender
  latencyMs: z.number().min(0).nullable(),
  latencyKind: latencyKind.optional(), // absent while there is no latency
  reason: z.string().nullable(), // why lost or failed
  seed: z.boolean(), // a plain seed-protocol message {send, From, Content}
  /**
   * A bulk message (traffic run, no content: id `p<pair>.<seq>`) shown as a sample of the live
   * stream on the socket: it stands for about `sampleOf` bulk receptions since the previous sample.
   */
  sampled: z.literal(true).optional(),
  sampleOf: count.optional(),
});
export type MessageDTO = z.infer<typeof messageSchema>;

export const nodeCountsSchema = z.strictObject({ sent: count, received: count, acked: count, lost: count, inFlight: count });
export type NodeCountsDTO = z.infer<typeof nodeCountsSchema>;

export const percentilesSchema = z.strictObject({ p50: ms, p95: ms, p99: ms });

/** A difference between the dashboard's books and a node's own counters (GET /api/stats `reconciled`). */
export const mismatchSchema = z.strictObject({
  from: z.string(),
  to: z.string(), // "*": the node as a whole (field "rseq": reports the dashboard has not applied)
  field: z.enum(["sent", "received", "acked", "failed", "rseq"]),
  dashboard: count,
  node: count,
});
export type MismatchDTO = z.infer<typeof mismatchSchema>;

/**
 * The books against the nodes' own per-pair counters, as of each node's latest stats: `pairs`
 * compared, `ok` when none differs. Checked at every node's stats (once a second), which follow
 * the reports they count: equal exactly then, not only when traffic is quiet.
 */
export const reconciledSchema = z.strictObject({
  ok: z.boolean(),
  pairs: count,
  nodes: count,
  mismatches: z.array(mismatchSchema),
});
export type ReconciledDTO = z.infer<typeof reconciledSchema>;

/** One pair's books (from, its incarnation, to), as the timeline's run progress shows them. */
export const pairProgressSchema = z.strictObject({
  pair: z.number().int().min(1),
  from: z.string(),
  to: z.string(),
  ...nodeCountsSchema.shape,
});
export type PairProgressDTO = z.infer<typeof pairProgressSchema>;

/**
 * GET /api/stats and the socket's `stats`. Always sent = received + lost + inFlight (received
 * counts acked too), in total and per sender (`perNode`). Latency: the most recent messages,
 * one-way between nodes of one host, half the acked round trip across hosts (`latencyByKind`).
 */
export const statsSchema = z.strictObject({
  ...nodeCountsSchema.shape,
  failed: count,
  perNode: z.record(z.string(), nodeCountsSchema),
  latencyMs: percentilesSchema,
  latencyByKind: z.strictObject({ "one-way": percentilesSchema, "half-rtt": percentilesSchema }),
  reconciled: reconciledSchema,
  /**
   * Whether the store takes writes (since when; the error while it does not), and how many node
   * incarnations' reports wait for a write that works: they stay in the nodes' outboxes until then.
   */
  store: z.strictObject({ ok: z.boolean(), since: epochMs, lastError: z.string().nullable(), waiting: count }),
  at: epochMs,
});
export type StatsDTO = z.infer<typeof statsSchema>;

/**
 * One bucket [t, t + durationMs) of GET /api/series: messages sent in it (by their send time; a
 * seed message by its reception), received in it, judged lost in it (an overturned verdict taken
 * back from the same bucket); rates per second; latency percentiles of those received in it, from
 * a histogram of 16 bins per octave (null: none); nodes up at its end. Kept apart from the
 * retained rows: the sums equal the counters.
 */
export const seriesPointSchema = z.strictObject({
  t: epochMs,
  durationMs: z.number().positive(),
  sent: count,
  received: count,
  lost: count,
  sentPerS: z.number().min(0),
  receivedPerS: z.number().min(0),
  lostPerS: z.number().min(0),
  p50: ms,
  p95: ms,
  p99: ms,
  nodesUp: count,
});
export type SeriesPointDTO = z.infer<typeof seriesPointSchema>;

/** GET /api/series: buckets of bucketMs tiling [since, until); the sums equal the counters of that range. */
export const seriesSchema = z.strictObject({
  since: epochMs,
  until: epochMs,
  bucketMs: z.number().int().positive(),
  points: z.array(seriesPointSchema),
});
export type SeriesDTO = z.infer<typeof seriesSchema>;

export const clusterEventSchema = z.strictObject({
  at: epochMs,
  kind: z.string(), // "nodeup" | "nodedown" | "replica" | "deploy" | "bridge" | "runtime" | "traffic" | ...
  node: z.string().optional(),
  text: z.string(),
});
export type ClusterEventDTO = z.infer<typeof clusterEventSchema>;

/**
 * A traffic run: GET/POST/DELETE /api/traffic and the socket's `traffic` event. `sent` is live:
 * the messages of this run the dashboard has counted sent so far, the same books as /api/stats.
 * `reported` is what the generators said they sent when they ended. A run ends `finished` (every
 * generator ended by itself) or `stopped` (DELETE, or a new run).
 */
export const trafficStateSchema = z.strictObject({
  run: z.string(),
  pattern: trafficPattern,
  state: z.enum(["running", "finished", "stopped"]),
  startedAt: epochMs,
  endedAt: epochMs.nullable(),
  expected: count,
  generators: count,
  done: count, // generators that ended: reported done, or their node (or the bridge) went down
  sent: count,
  reported: count,
  nodes: z.array(z.string()), // the nodes running a generator
  pending: z.array(z.string()), // those whose generator has not ended yet
});
export type TrafficState = z.infer<typeof trafficStateSchema>;
export type TrafficRunDTO = TrafficState;

/** Every 4xx/5xx answer. */
export const errorReply = z.strictObject({ error: z.string().min(1) });
export type ErrorReply = z.infer<typeof errorReply>;

/**
 * The store writer's health (GET /api/health `store`): whether the last write to SQLite worked,
 * since when, the last write error, and what waits in memory to be written. While writes fail
 * (disk full, database locked or read-only) nothing is lost until the queue's bound is reached;
 * past it the oldest queued updates are dropped and counted in `dropped`, never silently.
 */
export const storeStatusSchema = z.strictObject({
  ok: z.boolean(),
  since: epochMs, // when the current state (ok or failing) began
  lastError: z.string().nullable(),
  lastErrorAt: epochMs.nullable(),
  failures: count, // failed attempts in a row (0 when ok)
  retryAt: epochMs.nullable(), // when the next attempt runs while failing
  // Waiting to be written: tracked message updates, events, runs, and reports (per node incarnation)
  // whose commit waits for the write; while writes fail the nodes keep those reports.
  queued: z.strictObject({ messages: count, events: count, runs: count, reports: count }),
  dropped: z.strictObject({ messages: count, events: count }),
});
export type StoreStatus = z.infer<typeof storeStatusSchema>;

export const healthReply = z.strictObject({
  status: z.literal("ok"),
  runtime: runtimeKind,
  version: z.string(),
  bridge: bridgeStatus,
  store: storeStatusSchema,
  memory: z.strictObject({ rssMiB: count }),
});
export const scaleReply = z.strictObject({ accepted: z.literal(true), replicas: count, runtime: runtimeKind });
export const runtimeReply = z.strictObject({ runtime: runtimeKind, status: runtimeStatusSchema });
export const sendReply = z.strictObject({ ids: z.array(z.string()).min(1) });
export const messagesReply = z.strictObject({ messages: z.array(messageSchema) });
export const eventsReply = z.strictObject({ events: z.array(clusterEventSchema) });
export const killReply = z.strictObject({ killed: z.string() });
/** The node's inbox through the seed protocol's {get, Pid}, newest first; `from` null: not a node name. */
export const inboxReply = z.strictObject({
  node: z.string(),
  messages: z.array(z.strictObject({ from: z.string().nullable(), content: z.string() })),
});
export const trafficReply = z.strictObject({ traffic: trafficStateSchema.nullable() });
export const trafficStartedReply = z.strictObject({ traffic: trafficStateSchema });
export type HealthReply = z.infer<typeof healthReply>;
export type ScaleReply = z.infer<typeof scaleReply>;
export type RuntimeReply = z.infer<typeof runtimeReply>;
export type SendReply = z.infer<typeof sendReply>;
export type InboxReply = z.infer<typeof inboxReply>;

/** Counts of stored rows, with the same meaning as /api/stats (export JSON's `stored`, the evidence report). */
export const tallySchema = z.strictObject({
  ...nodeCountsSchema.shape,
  failed: count,
  pending: count,
  seedReceived: count, // seed-protocol messages seen arriving (no sender report exists for them)
  rows: count,
});
export type Tally = z.infer<typeof tallySchema>;

/**
 * GET /api/export?format=json: the stored history as evidence, with the live view at the same
 * instant: tracked and seed messages (with `expand=1`, every message of the stored runs too),
 * each pair's books, and `stored`: the file's messages counted as /api/stats counts (without
 * `expand`: the stored books' counts).
 */
export const exportJsonReply = z.strictObject({
  generatedAt: epochMs,
  deployment: z.string(),
  runtime: runtimeKind,
  range: z.strictObject({ since: epochMs.nullable(), until: epochMs.nullable() }),
  cluster: clusterSchema,
  stats: statsSchema,
  note: z.string(), // what "received" means in this file
  events: z.array(clusterEventSchema),
  messages: z.array(messageSchema),
  pairs: z.array(pairProgressSchema),
  stored: tallySchema,
});
export type ExportJson = z.infer<typeof exportJsonReply>;
