import { z } from "zod";
import { exportFormat, MAX_CONTENT_BYTES, MAX_REPLICAS, MAX_SERIES_POINTS, nodeName, runtimeKind, trafficPattern } from "./common";

// What the HTTP API accepts: request bodies and query strings. Bodies are strict, so a typo is
// an error rather than a no-op; messages say what is wrong in words a user can act on. The
// descriptions end up in the OpenAPI document (./openapi.ts).

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/** PUT /api/cluster: deploy or scale; `runtime` switches first. */
export const scaleBody = z
  .strictObject({
    replicas: z
      .number({ error: "replicas must be a number" })
      .int("replicas must be a whole number")
      .min(0, "replicas must be at least 0")
      .max(MAX_REPLICAS, `replicas must be at most ${MAX_REPLICAS}`)
      .describe(`How many replicas to run, 0 to ${MAX_REPLICAS}; 0 removes them all.`),
    runtime: runtimeKind.optional().describe("Switch to this runtime first (as `POST /api/runtime` does)."),
  })
  .describe("Deploy or scale to `replicas`.");
export type ScaleBody = z.infer<typeof scaleBody>;

/** POST /api/runtime: switch runtime and/or make it ready (`init`: `docker swarm init`). */
export const runtimeBody = z
  .strictObject({
    runtime: runtimeKind.optional().describe("Switch to this runtime."),
    init: z
      .boolean({ error: "init must be true or false" })
      .optional()
      .describe("true: make the runtime ready when it can be (`docker swarm init` when the engine is not in swarm mode)."),
  })
  .describe("Switch runtime and/or make it ready; `{}` only reads the status.");
export type RuntimeBody = z.infer<typeof runtimeBody>;

/** POST /api/messages: `to` a node name or "*" (every other node up). */
export const sendBody = z
  .strictObject({
    from: nodeName.describe("The sending node: it must be up (404 when unknown, 409 when known but not up)."),
    to: nodeName.describe('The receiving node (up, and not `from`), or `"*"`: every other node up, one message each.'),
    content: z
      .string({ error: "content must be a string" })
      .refine((s) => utf8Bytes(s) <= MAX_CONTENT_BYTES, `content must be at most ${MAX_CONTENT_BYTES} bytes`)
      .describe(`Any text, at most ${MAX_CONTENT_BYTES} bytes of UTF-8 (413 beyond).`),
  })
  .describe("Send one message, or one to every other node up.");
export type SendBody = z.infer<typeof sendBody>;

/** POST /api/traffic. `rate` is messages/s over the whole cluster (0 or absent: as fast as the nodes go). */
export const trafficBody = z
  .strictObject({
    pattern: trafficPattern,
    rate: z
      .number()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe("Messages per second over the whole cluster; 0 or absent: as fast as the nodes go (storm: 1,000)."),
    durationS: z.number().positive().max(3600).optional().describe("storm only: how long, in seconds (default 10)."),
    rounds: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe("How many times each generator goes round its targets (default 1; random: 10). Not used by storm."),
    from: nodeName.optional().describe("one and broadcast: the sender (random node up when absent); must be up (404 otherwise)."),
    to: nodeName.optional().describe("one: the receiver (a random other node up when absent); must be up (404 otherwise)."),
    content: z.string().max(1024).optional().describe("The content of every message of the run (default: the pattern's name)."),
  })
  .describe("Start a traffic run: generators inside the sender nodes send, the bridge only starts and stops them. A run still going is stopped first.");
export type TrafficBody = z.infer<typeof trafficBody>;

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(10_000)
  .default(200)
  .describe("How many rows at most (default 200, at most 10,000).");

/** GET /api/messages. Not strict: a cache-busting parameter is harmless. */
export const listQuery = z.object({
  limit,
  after: z.coerce
    .number()
    .min(0)
    .optional()
    .describe("A time in ms since the epoch: only messages created after it, oldest first (without it: the newest first)."),
});

/** GET /api/events. */
export const eventsQuery = z.object({ limit });

/** A time in ms since the epoch in a query string. */
export const time = (field: string, what: string) =>
  z.coerce
    .number({ error: `${field} must be a time in ms since the epoch` })
    .min(0, `${field} must be at least 0`)
    .optional()
    .describe(what);

/** A whole number from `min` to `max` in a query string, with messages that name the field. */
export const wholeParam = (field: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${min}`)
    .max(max, `${field} must be at most ${max}`);

/** since ≤ until when both are given. */
export const ordered = (q: { since?: number; until?: number }) => q.since === undefined || q.until === undefined || q.since <= q.until;

/**
 * GET /api/export. `expand=1`: CSV and JSON carry every message of the stored runs too (ids
 * `p<pair>.<seq>`), not only the tracked and seed messages.
 */
export const exportQuery = z
  .strictObject({
    format: exportFormat.default("json"),
    since: time("since", "Only what happened at or after this time (ms since the epoch)."),
    until: time("until", "Only what happened before this time (ms since the epoch)."),
    expand: z.enum(["0", "1"], { error: 'expand must be "0" or "1"' }).optional().describe("1: one row per message of the bulk runs (ids `p<pair>.<seq>`), not only the tracked and sampled ones"),
  })
  .refine(ordered, { message: "since must not be after until" });

/** GET /api/series. */
export const seriesQuery = z
  .strictObject({
    since: time("since", "Start of the window (ms since the epoch)."),
    until: time("until", "End of the window (ms since the epoch; default now)."),
    points: wholeParam("points", 1, MAX_SERIES_POINTS)
      .optional()
      .describe(`At most this many buckets (1 to ${MAX_SERIES_POINTS}); a bucket is at least 1 s.`),
  })
  .refine(ordered, { message: "since must not be after until" });
export type SeriesQuery = z.infer<typeof seriesQuery>;

/** PUT /api/hosts/:id: Swarm's availability of the node (drain moves its tasks to the other hosts). */
export const hostBody = z.strictObject({
  availability: z.enum(["active", "pause", "drain"], { error: 'availability must be "active", "pause" or "drain"' }),
});
export type HostBody = z.infer<typeof hostBody>;

/** Path parameters of /api/nodes/:name/..., /api/messages/:id and /api/hosts/:id. */
export const hostParams = z.strictObject({ id: z.string().min(1).describe("A Swarm node id, as `GET /api/hosts` lists it.") });
export const nodeParams = z.strictObject({ name: z.string().min(1).describe("The node's full name, URL-encoded (`n3-ab12cd%40127.0.0.1`).") });
export const messageParams = z.strictObject({ id: z.string().min(1).describe("A message id, as `POST /api/messages` answered it.") });
