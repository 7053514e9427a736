import { z } from "zod";
import { count, epochMs, nodeStatus } from "./common";
import { clusterEventSchema, messageSchema } from "./http-replies";
import { ordered, time, wholeParam } from "./http-requests";

// GET /api/replay: the stored history of a time window, in time order, a page at a time, for the
// dashboard's replay mode (and any script). Three kinds of items: cluster events as recorded;
// messages sent by hand and seed messages as they ended (with their times, so a player shows each
// one's life); and one item per second of bulk traffic, with that second's exact counts (from the
// per-second aggregates, which always add up to the counters) and a few receptions of the stored
// runs as samples, so a window of a million messages stays a few hundred kilobytes.

export const MAX_REPLAY_LIMIT = 5000;
/** At most this many bulk samples per second; fewer in long windows (about 20,000 per window). */
export const REPLAY_SAMPLES_PER_S = 20;
export const REPLAY_SAMPLES_PER_WINDOW = 20_000;

export const replayQuery = z
  .strictObject({
    since: time("since", "Start of the window (ms since the epoch; default: the first stored data)."),
    until: time("until", "End of the window (ms since the epoch; default: now)."),
    after: time("after", "The previous page's `next`: only items after this time."),
    limit: wholeParam("limit", 1, MAX_REPLAY_LIMIT)
      .default(1000)
      .describe(`Items per page (default 1,000, at most ${MAX_REPLAY_LIMIT}); a page may hold a few more when items share its last time.`),
  })
  .refine(ordered, { message: "since must not be after until" });
export type ReplayQuery = z.infer<typeof replayQuery>;

export const replayCountsSchema = z
  .strictObject({ sent: count, received: count, acked: count, lost: count })
  .describe("Counters as /api/stats counts them (in flight = sent - received - lost).");
export type ReplayCounts = z.infer<typeof replayCountsSchema>;

export const replayNodeSchema = z.strictObject({
  name: z.string(),
  status: nodeStatus,
  since: epochMs,
  downReason: z.string().optional(),
});
export type ReplayNode = z.infer<typeof replayNodeSchema>;

const eventItem = z.strictObject({ type: z.literal("event"), at: epochMs, event: clusterEventSchema });
const messageItem = z.strictObject({
  type: z.literal("message"),
  at: epochMs.describe("when the dashboard created it (sent by hand) or saw it (seed)"),
  message: messageSchema.describe("as it ended (or stands now): its times say when it was sent, received, acked"),
  settledAt: epochMs.nullable().describe("lost or failed: when that verdict was made (null: not known, or not lost)"),
});
const secondItem = z.strictObject({
  type: z.literal("second"),
  at: epochMs.describe("the second's start"),
  counts: replayCountsSchema.describe("what this second added to the counters"),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  nodes: z.record(z.string(), z.strictObject({ sent: count, received: count })).describe("per node: bulk messages it sent and received in this second (stored runs)"),
  samples: z.array(messageSchema).describe("a few bulk receptions of this second (`sampled`, `sampleOf`), in reception order"),
});
export const replayItemSchema = z.discriminatedUnion("type", [eventItem, messageItem, secondItem]);
export type ReplayItem = z.infer<typeof replayItemSchema>;
export type ReplaySecond = z.infer<typeof secondItem>;

export const replayMarkSchema = z.strictObject({ at: epochMs, kind: z.enum(["deploy", "traffic"]), text: z.string() });
export type ReplayMark = z.infer<typeof replayMarkSchema>;

export const replayReply = z
  .strictObject({
    since: epochMs.describe("the window's start (the first stored data when `since` was absent or earlier)"),
    until: epochMs,
    first: epochMs.nullable().describe("the oldest stored data (null: none)"),
    last: epochMs.nullable().describe("the newest stored data"),
    start: z
      .strictObject({ counts: replayCountsSchema, nodes: z.array(replayNodeSchema), desiredReplicas: count })
      .optional()
      .describe("first page only: the state at `since` (counters, nodes known then)"),
    marks: z.array(replayMarkSchema).optional().describe("first page only: deploys and traffic runs of the whole history, oldest first (at most 200)"),
    items: z.array(replayItemSchema).describe("in time order"),
    next: epochMs.nullable().describe("pass as `after` for the next page; null: the window is done"),
  })
  .describe("A page of the stored history of a window, in time order.");
export type ReplayReply = z.infer<typeof replayReply>;
