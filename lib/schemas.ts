import { z } from "zod";
import { MAX_CONTENT_BYTES, MAX_REPLICAS, MAX_SERIES_POINTS } from "./types";

// Input of the public HTTP API. Unknown fields are rejected so a typo is an error, not a no-op.
const nodeName = z.string().min(1, "must not be empty").max(255, "at most 255 characters");

export const scaleBody = z.strictObject({
  replicas: z
    .number({ error: "replicas must be a number" })
    .int("replicas must be a whole number")
    .min(0, "replicas must be at least 0")
    .max(MAX_REPLICAS, `replicas must be at most ${MAX_REPLICAS}`),
  runtime: z.enum(["local", "swarm"], { error: 'runtime must be "local" or "swarm"' }).optional(),
});

export const sendBody = z.strictObject({
  from: nodeName,
  to: nodeName,
  content: z
    .string({ error: "content must be a string" })
    .refine((s) => Buffer.byteLength(s, "utf8") <= MAX_CONTENT_BYTES, `content must be at most ${MAX_CONTENT_BYTES} bytes`),
});

export const trafficBody = z.strictObject({
  pattern: z.enum(["one", "broadcast", "ring", "random", "storm"], {
    error: "pattern must be one of one, broadcast, ring, random, storm",
  }),
  rate: z.number().min(0).max(1_000_000).optional(),
  durationS: z.number().positive().max(3600).optional(),
  rounds: z.number().int().min(1).max(1_000_000).optional(),
  from: nodeName.optional(),
  to: nodeName.optional(),
  content: z.string().max(1024).optional(),
});

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
  after: z.coerce.number().min(0).optional(),
});

export const exportQuery = z
  .strictObject({
    format: z.enum(["json", "csv", "report"], { error: 'format must be "json", "csv" or "report"' }).default("json"),
    since: z.coerce.number({ error: "since must be a time in ms since the epoch" }).min(0, "since must be at least 0").optional(),
    until: z.coerce.number({ error: "until must be a time in ms since the epoch" }).min(0, "until must be at least 0").optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { message: "since must not be after until" });

export const seriesQuery = z
  .strictObject({
    since: z.coerce.number({ error: "since must be a time in ms since the epoch" }).min(0, "since must be at least 0").optional(),
    until: z.coerce.number({ error: "until must be a time in ms since the epoch" }).min(0, "until must be at least 0").optional(),
    points: z.coerce
      .number({ error: "points must be a number" })
      .int("points must be a whole number")
      .min(1, "points must be at least 1")
      .max(MAX_SERIES_POINTS, `points must be at most ${MAX_SERIES_POINTS}`)
      .optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { message: "since must not be after until" });
