import { z } from "zod";
import { exportFormat, MAX_CONTENT_BYTES, MAX_REPLICAS, MAX_SERIES_POINTS, nodeName, runtimeKind, trafficPattern } from "./common";

// What the HTTP API accepts: request bodies and query strings. Bodies are strict, so a typo is
// an error rather than a no-op; messages say what is wrong in words a user can act on.

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/** PUT /api/cluster: deploy or scale; `runtime` switches first. */
export const scaleBody = z.strictObject({
  replicas: z
    .number({ error: "replicas must be a number" })
    .int("replicas must be a whole number")
    .min(0, "replicas must be at least 0")
    .max(MAX_REPLICAS, `replicas must be at most ${MAX_REPLICAS}`),
  runtime: runtimeKind.optional(),
});
export type ScaleBody = z.infer<typeof scaleBody>;

/** POST /api/runtime: switch runtime and/or make it ready (`init`: `docker swarm init`). */
export const runtimeBody = z.strictObject({
  runtime: runtimeKind.optional(),
  init: z.boolean({ error: "init must be true or false" }).optional(),
});
export type RuntimeBody = z.infer<typeof runtimeBody>;

/** POST /api/messages: `to` a node name or "*" (every other node up). */
export const sendBody = z.strictObject({
  from: nodeName,
  to: nodeName,
  content: z
    .string({ error: "content must be a string" })
    .refine((s) => utf8Bytes(s) <= MAX_CONTENT_BYTES, `content must be at most ${MAX_CONTENT_BYTES} bytes`),
});
export type SendBody = z.infer<typeof sendBody>;

/** POST /api/traffic. `rate` is messages/s over the whole cluster (0 or absent: as fast as the nodes go). */
export const trafficBody = z.strictObject({
  pattern: trafficPattern,
  rate: z.number().min(0).max(1_000_000).optional(),
  durationS: z.number().positive().max(3600).optional(),
  rounds: z.number().int().min(1).max(1_000_000).optional(),
  from: nodeName.optional(),
  to: nodeName.optional(),
  content: z.string().max(1024).optional(),
});
export type TrafficBody = z.infer<typeof trafficBody>;

/** GET /api/messages and GET /api/events. Not strict: a cache-busting parameter is harmless. */
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
  after: z.coerce.number().min(0).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

const time = (field: string) =>
  z.coerce.number({ error: `${field} must be a time in ms since the epoch` }).min(0, `${field} must be at least 0`).optional();

const ordered = (q: { since?: number; until?: number }) => q.since === undefined || q.until === undefined || q.since <= q.until;

/**
 * GET /api/export. `expand=1`: CSV and JSON carry every message of the stored runs too (ids
 * `p<pair>.<seq>`), not only the tracked and seed messages.
 */
export const exportQuery = z
  .strictObject({
    format: exportFormat.default("json"),
    since: time("since"),
    until: time("until"),
    expand: z.enum(["0", "1"], { error: 'expand must be "0" or "1"' }).optional(),
  })
  .refine(ordered, { message: "since must not be after until" });
export type ExportQuery = z.infer<typeof exportQuery>;

/** GET /api/series. */
export const seriesQuery = z
  .strictObject({
    since: time("since"),
    until: time("until"),
    points: z.coerce
      .number({ error: "points must be a number" })
      .int("points must be a whole number")
      .min(1, "points must be at least 1")
      .max(MAX_SERIES_POINTS, `points must be at most ${MAX_SERIES_POINTS}`)
      .optional(),
  })
  .refine(ordered, { message: "since must not be after until" });
export type SeriesQuery = z.infer<typeof seriesQuery>;

/** Path parameters of /api/nodes/:name/... and /api/messages/:id. */
export const nodeParams = z.strictObject({ name: z.string().min(1) });
export const messageParams = z.strictObject({ id: z.string().min(1) });
