import { z } from "zod";
import { bridgeStatus, count, epochMs, latencyKind, messageStatus, nodeStatus, runtimeKind, trafficPattern } from "./common";

// What the server sends: reply bodies of the HTTP API, also carried by the socket events and the
// JSON export. Objects are strict: a field the server sends and the contract does not describe is
// a drift, and the contract tests (tests/integration/harness.ts) fail on it. The descriptions end
// up in the OpenAPI and AsyncAPI documents (./openapi.ts, ./asyncapi.ts).

/** What the runtime (processes or Swarm tasks) says about one replica. */
export const replicaSchema = z
  .strictObject({
    id: z.string().describe('local: "n3"; swarm: the task id'),
    slot: z.number().int(),
    state: z.string().describe("local: starting, running, exited, restarting or stopped; swarm: the task's state"),
    host: z.string().describe('"127.0.0.1" locally, the Swarm node\'s hostname on Swarm'),
    hostId: z.string().optional().describe("swarm: the Swarm node's id (`hosts[].id`)"),
    pid: z.number().int().optional().describe("local: the erl process"),
    taskId: z.string().optional(),
    containerId: z.string().optional(),
    ip: z.string().optional().describe("swarm: the task's overlay address"),
    restarts: count,
    error: z.string().optional().describe("why the replica stopped or could not start"),
  })
  .describe("What the runtime (processes or Swarm tasks) says about one replica.");
export type ReplicaDTO = z.infer<typeof replicaSchema>;

export const nodeSchema = z
  .strictObject({
    name: z.string().describe('the Erlang node name, e.g. "n3-ab12cd@127.0.0.1"'),
    status: nodeStatus,
    host: z.string(),
    slot: z.number().int().nullable(),
    links: z.array(z.string()).describe("the visible nodes this one has a distribution connection to (strangers included)"),
    sent: count.describe("messages this node sent, by the dashboard's books"),
    received: count.describe("messages this node received"),
    replica: replicaSchema.nullable().describe("null: an Erlang node the runtime knows no replica of"),
    flags: z.array(z.string()).describe('where runtime and Erlang disagree, e.g. "replica running for 21 s, Erlang node never joined"'),
    since: epochMs.describe("the last status change"),
    downReason: z.string().optional().describe("while down: why (the Erlang nodedown reason, or the runtime's word)"),
  })
  .describe("One replica's Erlang node, as the runtime and the bridge see it.");

/**
 * A visible Erlang node that is not a replica but is connected to some (a plain `erl` with the
 * cookie, say): seen in the replicas' links, never sent to by the dashboard.
 */
export const strangerSchema = z
  .strictObject({
    name: z.string(),
    host: z.string().describe("the host part of its name"),
    links: z.array(z.string()).describe("the replicas it is connected to"),
  })
  .describe("A visible node that is not a replica, connected to some (a plain `erl` with the cookie): from the replicas' links.");
export type StrangerDTO = z.infer<typeof strangerSchema>;
export type NodeDTO = z.infer<typeof nodeSchema>;

/** Whether the runtime can deploy: a problem in words ("no Docker engine"); canInit: one click fixes it. */
export const runtimeStatusSchema = z
  .strictObject({
    ready: z.boolean(),
    problem: z.string().optional().describe('why it cannot deploy, e.g. "no Docker engine"'),
    canInit: z.boolean().optional().describe("true: `POST /api/runtime {init: true}` fixes it (docker swarm init)"),
    since: epochMs.optional().describe("not ready since (the Docker engine unreachable since ...)"),
  })
  .describe("Whether the runtime can deploy.");
export type RuntimeStatusDTO = z.infer<typeof runtimeStatusSchema>;

export const deployProgressSchema = z
  .strictObject({
    target: count.describe("the replica count asked for"),
    startedAt: epochMs,
    phase: z.string().describe('"building image", "starting replicas", "waiting for Erlang nodes", "removing replicas", "done"'),
    replicasRunning: count,
    nodesUp: count,
    done: z.boolean().describe("true once `target` nodes are up (or all removed), or the deploy failed (`error`)"),
    finishedAt: epochMs.optional(),
    error: z.string().optional(),
  })
  .describe("The last deploy or scale asked since the start.");
export type DeployProgressDTO = z.infer<typeof deployProgressSchema>;

/**
 * A Swarm node, i.e. a Docker host (GET /api/hosts, the cluster's `hosts`): its state as Swarm
 * sees it, its agent (the stack's `agent` task there, through which the dashboard acts on the
 * host's containers), whether the dashboard cut it off from the other hosts, and its replicas.
 */
export const hostSchema = z
  .strictObject({
    id: z.string().describe("the Swarm node id"),
    hostname: z.string(),
    role: z.enum(["manager", "worker"]),
    leader: z.boolean(),
    state: z.string().describe("Swarm's node state: ready, down, unknown, disconnected"),
    availability: z.string().describe("active, pause or drain"),
    engine: z.string().describe("the Docker engine's version"),
    address: z.string().describe("the address the Swarm reaches it at"),
    self: z.boolean().describe("the engine the dashboard talks to"),
    agent: z.enum(["up", "down"]).describe("the stack's agent task on this host, through which the dashboard acts on its containers"),
    partitionedSince: epochMs.nullable().describe("cut off from the other hosts by the dashboard since"),
    replicas: z.array(z.string()).describe("node names of the replicas placed on it (the replica id before a name is known)"),
  })
  .describe("A Swarm node (a Docker host).");
export type HostDTO = z.infer<typeof hostSchema>;

export const bridgeStateSchema = z
  .strictObject({ status: bridgeStatus, node: z.string().optional().describe("its Erlang node name"), error: z.string().optional() })
  .describe("The hidden bridge node the server talks to the replicas through.");

/** GET /api/cluster, and the socket's `cluster` event. */
export const clusterSchema = z
  .strictObject({
    runtime: runtimeKind,
    deploymentId: z.string().describe("this data folder's deployment id, part of every replica's name"),
    desiredReplicas: count,
    nodes: z.array(nodeSchema).describe("one per replica, plus Erlang nodes of this deployment the runtime has no replica of"),
    strangers: z.array(strangerSchema).describe("visible nodes connected to replicas that are not replicas (plain `erl`)"),
    bridge: bridgeStateSchema,
    progress: deployProgressSchema.nullable().describe("null: no deploy or scale asked since the start"),
    runtimeStatus: runtimeStatusSchema,
    hosts: z.array(hostSchema).describe("Swarm: every Swarm node; local: none"),
  })
  .describe("The cluster: runtime, replicas and their Erlang nodes, the bridge, deploy progress, hosts.");
export type ClusterDTO = z.infer<typeof clusterSchema>;

const ms = z.number().nullable();

export const messageSchema = z
  .strictObject({
    id: z.string().describe("a tracked message's id, or `p<pair>.<seq>` for a bulk message of a traffic run"),
    from: z.string().describe("the sender's node name (a seed message: whatever `From` it carried)"),
    to: z.string(),
    content: z.string(),
    status: messageStatus,
    sentAt: ms.describe("ms since the epoch (fractional: µs), seen at the sender; null until then"),
    receivedAt: ms.describe("seen at the receiver"),
    ackedAt: ms.describe("the ack seen back at the sender"),
    latencyMs: z.number().min(0).nullable().describe("see latencyKind; null until received"),
    latencyKind: latencyKind.optional().describe("absent while there is no latency"),
    reason: z.string().nullable().describe("why lost or failed, e.g. receiver_down, timeout: not received within 5000 ms"),
    seed: z.boolean().describe("a plain seed-protocol message `{send, From, Content}` from a node that knows nothing of Swarmscope"),
    sampled: z
      .literal(true)
      .optional()
      .describe("a bulk message (traffic run, no content) shown as a sample of the live stream on the socket"),
    sampleOf: count.optional().describe("a sample stands for about this many bulk receptions since the previous one"),
  })
  .describe("One message and its life.");
export type MessageDTO = z.infer<typeof messageSchema>;

export const nodeCountsSchema = z.strictObject({
  sent: count.describe("left the sender (seen there)"),
  received: count.describe("seen at the receiver (acked ones included)"),
  acked: count,
  lost: count,
  inFlight: count.describe("sent, neither received nor lost yet"),
});
export type NodeCountsDTO = z.infer<typeof nodeCountsSchema>;

export const percentilesSchema = z
  .strictObject({ p50: ms, p95: ms, p99: ms })
  .describe("Latency percentiles in ms over the recent received messages (null: none yet).");

/** A difference between the dashboard's books and a node's own counters (GET /api/stats `reconciled`). */
export const mismatchSchema = z.strictObject({
  from: z.string(),
  to: z.string().describe('"*": the node as a whole (field "rseq": reports the dashboard has not applied)'),
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
export const reconciledSchema = z
  .strictObject({
    ok: z.boolean(),
    pairs: count,
    nodes: count,
    mismatches: z.array(mismatchSchema),
  })
  .describe("The books against the nodes' own per-pair counters, as of each node's latest stats.");
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
export const statsSchema = z
  .strictObject({
    ...nodeCountsSchema.shape,
    failed: count.describe("never left the sender; not part of sent"),
    perNode: z.record(z.string(), nodeCountsSchema).describe("the same counts per sending node, keyed by the sender's name"),
    latencyMs: percentilesSchema,
    latencyByKind: z.strictObject({ "one-way": percentilesSchema, "half-rtt": percentilesSchema }),
    reconciled: reconciledSchema,
    store: z
      .strictObject({ ok: z.boolean(), since: epochMs, lastError: z.string().nullable(), waiting: count })
      .describe("whether the store takes writes, and how many node incarnations' reports wait for a write that works (the nodes keep them until then)"),
    at: epochMs.describe("when these counts were taken"),
  })
  .describe("The counters: always sent = received + lost + inFlight (received counts acked too).");
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

export const clusterEventSchema = z
  .strictObject({
    at: epochMs,
    kind: z.string().describe('"nodeup", "nodedown", "replica", "deploy", "bridge", "runtime", "traffic", ...'),
    node: z.string().optional().describe("the node it is about"),
    text: z.string(),
  })
  .describe("A cluster event: joins, downs, deploys, traffic.");
export type ClusterEventDTO = z.infer<typeof clusterEventSchema>;

/**
 * A traffic run: GET/POST/DELETE /api/traffic and the socket's `traffic` event. `sent` is live:
 * the messages of this run the dashboard has counted sent so far, the same books as /api/stats.
 * `reported` is what the generators said they sent when they ended. A run ends `finished` (every
 * generator ended by itself) or `stopped` (DELETE, or a new run).
 */
export const trafficStateSchema = z
  .strictObject({
    run: z.string(),
    pattern: trafficPattern,
    state: z.enum(["running", "finished", "stopped"]).describe("`finished`: every generator ended by itself; `stopped`: by DELETE or a new run"),
    startedAt: epochMs,
    endedAt: epochMs.nullable(),
    expected: count.describe("the messages the run is to send"),
    generators: count,
    done: count.describe("generators that ended: reported done, or their node (or the bridge) went down"),
    sent: count.describe("live: this run's messages counted sent so far (the books of /api/stats)"),
    reported: count.describe("what the generators said they sent when they ended"),
    nodes: z.array(z.string()).describe("the nodes running a generator"),
    pending: z.array(z.string()).describe("those whose generator has not ended yet"),
  })
  .describe("A traffic run with its live progress.");
export type TrafficState = z.infer<typeof trafficStateSchema>;
export type TrafficRunDTO = TrafficState;

/** Every 4xx/5xx answer. */
export const errorReply = z
  .strictObject({ error: z.string().min(1).describe("what is wrong, in words a user can act on") })
  .describe("Every 4xx and 5xx answer.");
export type ErrorReply = z.infer<typeof errorReply>;

/**
 * The store writer's health (GET /api/health `store`): whether the last write to SQLite worked,
 * since when, the last write error, and what waits in memory to be written. While writes fail
 * (disk full, database locked or read-only) nothing is lost until the queue's bound is reached;
 * past it the oldest queued updates are dropped and counted in `dropped`, never silently.
 */
export const storeStatusSchema = z
  .strictObject({
    ok: z.boolean().describe("whether the last write to SQLite worked"),
    since: epochMs.describe("when the current state (ok or failing) began"),
    lastError: z.string().nullable(),
    lastErrorAt: epochMs.nullable(),
    failures: count.describe("failed attempts in a row (0 when ok)"),
    retryAt: epochMs.nullable().describe("when the next attempt runs while failing"),
    queued: z
      .strictObject({ messages: count, events: count, runs: count, reports: count })
      .describe("waiting in memory to be written: tracked message updates, events, runs, and reports (per node incarnation) whose commit waits for the write"),
    dropped: z.strictObject({ messages: count, events: count }).describe("updates dropped once the queue's bound was reached, oldest first"),
  })
  .describe("The store writer's health.");
export type StoreStatus = z.infer<typeof storeStatusSchema>;

/** GET /api/health with a valid token (control or view). */
export const fullHealthReply = z
  .strictObject({
    status: z.literal("ok"),
    runtime: runtimeKind,
    version: z.string(),
    bridge: bridgeStatus,
    store: storeStatusSchema,
    memory: z.strictObject({
      rssMiB: count.describe("the server's resident memory"),
      heapUsedMiB: count.describe("its JavaScript heap in use"),
      externalMiB: count.describe("its memory outside the JavaScript heap held by JavaScript objects (buffers, native objects)"),
    }),
  })
  .describe("The server answers; what it runs on (with a valid token).");
/** GET /api/health without a token (or with a wrong one): only that the server is up. */
export const publicHealthReply = z.strictObject({ status: z.literal("ok") }).describe("The server answers (no token given).");
export const healthReply = z.union([fullHealthReply, publicHealthReply]);
export const scaleReply = z
  .strictObject({ accepted: z.literal(true), replicas: count, runtime: runtimeKind })
  .describe("The request is queued: follow it in `GET /api/cluster` (`progress`) or the socket's `cluster` events.");
export const runtimeReply = z.strictObject({ runtime: runtimeKind, status: runtimeStatusSchema }).describe("The runtime and whether it can deploy.");
export const sendReply = z
  .strictObject({ ids: z.array(z.string()).min(1).describe("one id per receiver, each message `pending` at first") })
  .describe("The messages were handed to the sender; follow them by id.");
export const messagesReply = z.strictObject({ messages: z.array(messageSchema) });
export const eventsReply = z.strictObject({ events: z.array(clusterEventSchema) });
export const killReply = z
  .strictObject({ killed: z.string().describe("the node name asked for") })
  .describe("The kill was done: the node turns down, the runtime restarts the replica.");
export const freezeReply = z
  .strictObject({ node: z.string(), frozen: z.boolean() })
  .describe("The replica's process or container was paused (SIGSTOP, `docker pause`) or resumed.");
export const hostsReply = z.strictObject({ hosts: z.array(hostSchema) });
export const hostReply = z.strictObject({ host: hostSchema });
/** The node's inbox through the seed protocol's {get, Pid}, newest first; `from` null: not a node name. */
export const inboxReply = z.strictObject({
  node: z.string(),
  messages: z.array(z.strictObject({ from: z.string().nullable(), content: z.string() })).describe("newest first"),
});
export const trafficReply = z.strictObject({ traffic: trafficStateSchema.nullable().describe("null before the first run") });
export const trafficStartedReply = z.strictObject({ traffic: trafficStateSchema });
export type FullHealthReply = z.infer<typeof fullHealthReply>;

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

/** GET /api/openapi.json: the OpenAPI 3.1 document (./openapi.ts); checked in full by the tests. */
export const openApiReply = z
  .looseObject({ openapi: z.literal("3.1.0"), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .describe("An OpenAPI 3.1 document.");

/** GET /api/asyncapi.json: the AsyncAPI 3.0 document of the socket events (./asyncapi.ts). */
export const asyncApiReply = z
  .looseObject({ asyncapi: z.literal("3.0.0"), info: z.looseObject({ title: z.string(), version: z.string() }), channels: z.record(z.string(), z.unknown()) })
  .describe("An AsyncAPI 3.0 document.");
