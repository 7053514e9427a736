// Lenient runtime checks for what arrives from the server: the types in lib/types.ts do not
// check payloads. Required identity fields must be right; optional or numeric details fall back.
import { z } from "zod";
import type {
  ClusterDTO,
  ClusterEventDTO,
  DeployProgressDTO,
  MessageDTO,
  NodeCountsDTO,
  NodeDTO,
  ReplicaDTO,
  SeriesDTO,
  SeriesPointDTO,
  StatsDTO,
  TrafficRunDTO,
} from "@/lib/types";

const count = z.number().catch(0);
const nullableNumber = z.number().nullish().catch(null).transform((v) => v ?? null);
const nullableString = z.string().nullish().catch(null).transform((v) => v ?? null);
const optionalString = z.string().optional().catch(undefined);
const optionalNumber = z.number().optional().catch(undefined);

export const messageSchema: z.ZodType<MessageDTO> = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  content: z.string().catch(""),
  status: z.enum(["pending", "sent", "received", "acked", "lost", "failed"]),
  sentAt: nullableNumber,
  receivedAt: nullableNumber,
  ackedAt: nullableNumber,
  latencyMs: nullableNumber,
  reason: nullableString,
  seed: z.boolean().catch(false),
});

const replicaSchema: z.ZodType<ReplicaDTO> = z.object({
  id: z.string(),
  slot: count,
  state: z.string().catch("unknown"),
  host: z.string().catch(""),
  pid: optionalNumber,
  taskId: optionalString,
  containerId: optionalString,
  ip: optionalString,
  restarts: count,
  error: optionalString,
});

const nodeSchema: z.ZodType<NodeDTO> = z.object({
  name: z.string(),
  status: z.enum(["starting", "up", "down"]).catch("starting"),
  host: z.string().catch("unknown host"),
  slot: nullableNumber,
  links: z.array(z.string()).catch([]),
  sent: count,
  received: count,
  replica: replicaSchema.nullish().catch(null).transform((v) => v ?? null),
  flags: z.array(z.string()).catch([]),
  since: count,
  downReason: optionalString,
});

const progressSchema: z.ZodType<DeployProgressDTO> = z.object({
  target: count,
  startedAt: count,
  phase: z.string().catch(""),
  replicasRunning: count,
  nodesUp: count,
  done: z.boolean().catch(false),
  finishedAt: optionalNumber,
  error: optionalString,
});

export const clusterSchema: z.ZodType<ClusterDTO> = z.object({
  runtime: z.enum(["local", "swarm"]).catch("local"),
  deploymentId: z.string().catch(""),
  desiredReplicas: count,
  nodes: z.array(nodeSchema),
  bridge: z
    .object({
      status: z.enum(["starting", "up", "down"]).catch("down"),
      node: optionalString,
      error: optionalString,
    })
    .catch({ status: "down" }),
  progress: progressSchema.nullish().catch(null).transform((v) => v ?? null),
  runtimeStatus: z
    .object({ ready: z.boolean().catch(true), problem: optionalString, canInit: z.boolean().optional().catch(undefined) })
    .catch({ ready: true }),
});

const countsSchema: z.ZodType<NodeCountsDTO> = z.object({
  sent: count,
  received: count,
  acked: count,
  lost: count,
  inFlight: count,
});

export const statsSchema: z.ZodType<StatsDTO> = z.object({
  sent: count,
  received: count,
  acked: count,
  lost: count,
  inFlight: count,
  failed: count,
  perNode: z.record(z.string(), countsSchema).catch({}),
  latencyMs: z
    .object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber })
    .catch({ p50: null, p95: null, p99: null }),
  at: z.number().catch(() => Date.now()),
});

export const eventSchema: z.ZodType<ClusterEventDTO> = z.object({
  at: z.number().catch(() => Date.now()),
  kind: z.string().catch("event"),
  node: optionalString,
  text: z.string().catch(""),
});

/** A traffic run: the socket's `traffic` event and the body of /api/traffic. */
export const trafficRunSchema: z.ZodType<TrafficRunDTO> = z.object({
  run: z.string(),
  pattern: z.string().catch(""),
  state: z.enum(["running", "finished", "stopped"]),
  startedAt: z.number(),
  endedAt: nullableNumber,
  expected: count,
  generators: count,
  done: count,
  sent: count,
  reported: count,
  nodes: z.array(z.string()).catch([]),
  pending: z.array(z.string()).catch([]),
});

const seriesPointSchema: z.ZodType<SeriesPointDTO> = z.object({
  t: z.number(),
  durationMs: z.number(),
  sent: count,
  received: count,
  lost: count,
  sentPerS: count,
  receivedPerS: count,
  lostPerS: count,
  p50: nullableNumber,
  p95: nullableNumber,
  p99: nullableNumber,
  nodesUp: count,
});

/** GET /api/series; a malformed point is left out, the rest kept. */
export const seriesSchema: z.ZodType<SeriesDTO> = z.object({
  since: z.number(),
  until: z.number(),
  bucketMs: z.number(),
  points: z
    .array(z.unknown())
    .catch([])
    .transform((raw) => raw.flatMap((p) => {
      const r = seriesPointSchema.safeParse(p);
      return r.success ? [r.data] : [];
    })),
});

export const messagesBatchSchema = z.object({
  messages: z.array(z.unknown()).catch([]),
  dropped: count,
});

/** Parses each message on its own so one bad entry does not drop a whole batch. */
export function parseMessages(raw: unknown[]): MessageDTO[] {
  const out: MessageDTO[] = [];
  for (const item of raw) {
    const r = messageSchema.safeParse(item);
    if (r.success) out.push(r.data);
    else console.warn("swarmscope: ignored a malformed message", r.error.issues[0]);
  }
  return out;
}
