import { z } from "zod";

// Limits and enums every contract shares: the HTTP API, the socket events and the UI use these,
// never their own copies.

export const MAX_REPLICAS = 256;
export const MAX_CONTENT_BYTES = 64 * 1024;
export const MAX_SERIES_POINTS = 1000;

export const runtimeKind = z
  .enum(["local", "swarm"], { error: 'runtime must be "local" or "swarm"' })
  .describe("Where replicas run: `local` (erl processes on 127.0.0.1) or `swarm` (a Docker Swarm service).");
export type RuntimeKind = z.infer<typeof runtimeKind>;

/** A node in the cluster view: its replica is coming, its Erlang node is up, or neither. */
export const nodeStatus = z
  .enum(["starting", "up", "down"])
  .describe("`starting`: its replica is coming; `up`: its Erlang node is connected to the bridge; `down`: neither.");
export type NodeStatus = z.infer<typeof nodeStatus>;

/** The hidden bridge node's state. */
export const bridgeStatus = z.enum(["starting", "up", "down"]).describe("The hidden bridge node's state: messages can be sent only while it is `up`.");
export type BridgeStatus = z.infer<typeof bridgeStatus>;

/** pending (asked the sender) → sent → received → acked; or lost (sent, never seen received) or failed (never left). */
export const messageStatus = z
  .enum(["pending", "sent", "received", "acked", "lost", "failed"])
  .describe(
    "`pending` (asked the sender; every message sent through the API starts here) → `sent` (seen at the sender) → `received` (seen at the receiver) → " +
      "`acked` (the ack seen back at the sender); or `lost` (sent, not received within the loss timeout or its receiver went down; a late reception " +
      "turns it back into `received`) or `failed` (never left the sender).",
  );
export type MessageStatus = z.infer<typeof messageStatus>;

/** "one-way": receiver's clock minus sender's (same host); "half-rtt": half the acked round trip (hosts differ). */
export const latencyKind = z
  .enum(["one-way", "half-rtt"])
  .describe("`one-way`: the receiver's clock minus the sender's (both on one host); `half-rtt`: half the acked round trip (hosts differ).");
export type LatencyKind = z.infer<typeof latencyKind>;

export const trafficPattern = z
  .enum(["one", "broadcast", "ring", "random", "storm"], { error: "pattern must be one of one, broadcast, ring, random, storm" })
  .describe(
    "`one`: `from` → `to` (random when absent), `rounds` times; `broadcast`: `from` to every other node up, `rounds` times; " +
      "`ring`: each node up to the next, `rounds` times; `random`: each node to random others, `rounds` (default 10) each; " +
      "`storm`: every node to random others at `rate` msgs/s (default 1,000) for `durationS` (default 10).",
  );
export type TrafficPattern = z.infer<typeof trafficPattern>;

export const exportFormat = z
  .enum(["json", "csv", "report"], { error: 'format must be "json", "csv" or "report"' })
  .describe("`json`: cluster, stats, events and every message; `csv`: one row per message; `report`: a Markdown evidence report.");
export type ExportFormat = z.infer<typeof exportFormat>;

/** Which credential a browser or script holds: `control` does everything, `view` only watches. */
export const accessRole = z.enum(["control", "view"]);
export type AccessRole = z.infer<typeof accessRole>;

/** The 403 answer to a control call made with the view token (the browser recognises it). */
export const VIEW_TOKEN_REFUSAL =
  "this is a read-only view token: it can watch (GET calls, live events) but not deploy, send, kill or start traffic; control calls need the control token";

/** An Erlang node name as the API takes it ("n3-ab12cd@127.0.0.1"). */
export const nodeName = z
  .string()
  .min(1, "must not be empty")
  .max(255, "at most 255 characters")
  .describe("An Erlang node name as `GET /api/cluster` lists it, e.g. `n3-ab12cd@127.0.0.1`.");

/** A count of messages or nodes. */
export const count = z.number().int().min(0);

/** A time in ms since the epoch (fractional: µs resolution). */
export const epochMs = z.number().min(0);
