import { z } from "zod";

// Frames between the bridge and the server (erlang/PROTOCOL.md, "Bridge frames"). Validated:
// types do not check what arrives. Reports carry runs as positional arrays with base64 varints.
const name = z.string().min(1).max(1100);
const content = z.string().max(1_000_000);
/** Counts, seqs, incarnations: integers a JSON number holds exactly. */
const nat = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Times (µs since the epoch, of the node that stamped them): any integer a clock gives. */
const time = z.number().int();
/** Base64 varints, or null when the run carries no per-message detail. */
const varints = z.string().max(64 * 1024 * 1024).nullable();

// ---- events inside a report (validated one by one: a strange event never costs a report) ----

const sentEv = z.object({ e: z.literal("sent"), id: z.string(), to: name, seq: nat, t: time, content });
const receivedEv = z.object({
  e: z.literal("received"),
  id: z.string(),
  from: z.string().max(1100),
  fromInc: nat.optional(), // absent for a seed reception
  seq: nat.optional(),
  t0: time.nullable().optional(),
  t: time,
  content,
  seed: z.boolean(),
});
const ackedEv = z.object({ e: z.literal("acked"), id: z.string(), to: name, seq: nat, t0: time, t1: time, t: time });
const sendFailedEv = z.object({ e: z.literal("send_failed"), id: z.string(), to: name, reason: z.string() });
const trafficDoneEv = z.object({ e: z.literal("traffic_done"), run: z.string(), sent: nat });
/** Bulk sends of a traffic run in this report (one per run and flush): the run's live progress. */
const trafficSentEv = z.object({ e: z.literal("traffic_sent"), run: z.string(), sent: nat });

export const nodeEvent = z.discriminatedUnion("e", [sentEv, receivedEv, ackedEv, sendFailedEv, trafficDoneEv, trafficSentEv]);
export type NodeEvent = z.infer<typeof nodeEvent>;

// ---- runs, as positional arrays ----

/** [to, seq0, n, t0First, t0Last, t0Deltas]: this node sent seqs seq0 .. seq0+n-1 to `to`. */
export const sentRun = z.tuple([name, nat.min(1), nat.min(1), time, time, varints]);
/** [from, fromInc, seq0, n, t1First, t1Last, t1Deltas, lat]: received from (from, fromInc). */
export const recvRun = z.tuple([name, nat, nat.min(1), nat.min(1), time, time, varints, varints]);
/** [to, upTo, t2, t0]: the newest cumulative ack from `to`. */
export const ackedRun = z.tuple([name, nat.min(1), time, time]);
/** [to, n]: local send failures (no seq taken). */
export const failedRun = z.tuple([name, nat]);
export type SentRun = z.infer<typeof sentRun>;
export type RecvRun = z.infer<typeof recvRun>;
export type AckedRun = z.infer<typeof ackedRun>;

export const reportFrame = z.object({
  t: z.literal("report"),
  node: name,
  inc: nat,
  rseq: nat.min(1),
  sent: z.array(sentRun),
  recv: z.array(recvRun),
  acked: z.array(ackedRun),
  failed: z.array(failedRun),
  seed: nat,
  dropped: nat,
  droppedEvents: nat,
  events: z.array(z.unknown()),
});
export type ReportFrame = z.infer<typeof reportFrame>;

/** A node's exact counters since its incarnation began, sent after the reports they count (`rseq`). */
export const statsFrame = z.object({
  t: z.literal("stats"),
  node: name,
  inc: nat,
  rseq: nat,
  sent: nat,
  received: nat,
  acked: nat,
  failed: nat,
  seed: nat,
  dropped: nat,
  droppedEvents: nat,
  ignored: nat,
  inbox: nat,
  queue: nat,
  memory: nat,
  sentTo: z.array(z.tuple([name, nat])),
  failedTo: z.array(z.tuple([name, nat])),
  ackedBy: z.array(z.tuple([name, nat])),
  /** [from, fromInc, count, highest] */
  recvFrom: z.array(z.tuple([name, nat, nat, nat])),
});
export type StatsFrame = z.infer<typeof statsFrame>;

export const bridgeFrame = z.discriminatedUnion("t", [
  z.object({ t: z.literal("hello"), bridge: name, otp: z.string().optional() }),
  z.object({ t: z.literal("nodeup"), node: name, inc: nat.nullable().optional(), info: z.record(z.string(), z.unknown()).optional() }),
  z.object({ t: z.literal("nodedown"), node: name, reason: z.string().optional() }),
  z.object({ t: z.literal("links"), node: name, links: z.array(name) }),
  reportFrame,
  statsFrame,
  z.object({ t: z.literal("send_failed"), id: z.string(), from: z.string(), to: z.string(), reason: z.string() }),
  z.object({ t: z.literal("reply"), ref: z.string(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() }),
  z.object({ t: z.literal("log"), level: z.string(), msg: z.string() }),
]);
export type BridgeFrame = z.infer<typeof bridgeFrame>;

// ---- commands to the bridge (erlang/PROTOCOL.md, "Server → bridge") ----

export const discoverCommand = z.discriminatedUnion("mode", [
  z.object({ t: z.literal("discover"), mode: z.literal("epmd"), host: z.string().min(1), deployment: z.string().min(1) }),
  z.object({ t: z.literal("discover"), mode: z.literal("dns"), query: z.string().min(1), name: z.string().min(1) }),
]);
/** How the bridge finds this runtime's replicas: epmd names on a host, or the overlay's DNS. */
export type DiscoverCommand = z.infer<typeof discoverCommand>;

export const trafficCommand = z.object({
  t: z.literal("traffic"),
  run: z.string(),
  tag: z.string(),
  node: name,
  targets: z.array(name),
  rate: z.number().min(0), // messages/s from this generator; 0: as fast as it goes
  count: z.number().int().min(0),
  order: z.enum(["cycle", "random"]),
  content: z.string(),
});
export type TrafficCommand = z.infer<typeof trafficCommand>;

/** Every report of `node`'s incarnation `inc` with rseq ≤ upto is stored: the node may drop them. */
export const commitCommand = z.object({ t: z.literal("commit"), node: name, inc: nat, upto: nat });
export type CommitCommand = z.infer<typeof commitCommand>;

/** A command for a replica's `ss_fault`, answered by a `reply` (erlang/PROTOCOL.md, "Faults"). */
export const faultCommand = z.object({
  t: z.literal("fault"),
  ref: z.string(),
  node: name,
  op: z.enum(["partition", "heal", "delay", "clear", "route", "unroute"]),
  peers: z.array(name).optional(),
  peer: name.optional(),
  ip: z.string().optional(),
  port: z.number().int().optional(),
  delayMs: z.number().int().optional(),
  jitterMs: z.number().int().optional(),
  lossPct: z.number().optional(),
});
export type FaultCommand = z.infer<typeof faultCommand>;

/** A plain seed-protocol message sent by the node `from` itself: `{msg, To} ! {send, From, Content}`. */
export const seedCommand = z.object({ t: z.literal("seed"), ref: z.string(), from: name, to: name, content: z.string() });
export type SeedCommand = z.infer<typeof seedCommand>;

export const bridgeCommand = z.discriminatedUnion("t", [
  faultCommand,
  z.object({ t: z.literal("peers") }),
  /** The replicas' net tick between themselves (s), now and for each that joins (a big mesh ticks slower). */
  z.object({ t: z.literal("ticktime"), seconds: z.number().int().min(1).max(3600) }),
  seedCommand,
  z.object({ t: z.literal("send"), id: z.string(), from: name, to: name, content: z.string() }),
  z.object({ t: z.literal("get"), ref: z.string(), node: name }),
  z.object({ t: z.literal("ping"), ref: z.string() }),
  trafficCommand,
  z.object({ t: z.literal("traffic_stop"), run: z.string() }),
  commitCommand,
  discoverCommand,
]);
export type BridgeCommand = z.infer<typeof bridgeCommand>;
