import { z } from "zod";

// Limits and enums every contract shares: the HTTP API, the socket events and the UI use these,
// never their own copies.

export const MAX_REPLICAS = 256;
export const MAX_CONTENT_BYTES = 64 * 1024;
export const MAX_SERIES_POINTS = 1000;

export const runtimeKind = z.enum(["local", "swarm"], { error: 'runtime must be "local" or "swarm"' });
export type RuntimeKind = z.infer<typeof runtimeKind>;

/** A node in the cluster view: its replica is coming, its Erlang node is up, or neither. */
export const nodeStatus = z.enum(["starting", "up", "down"]);
export type NodeStatus = z.infer<typeof nodeStatus>;

/** The hidden bridge node's state. */
export const bridgeStatus = z.enum(["starting", "up", "down"]);
export type BridgeStatus = z.infer<typeof bridgeStatus>;

/** pending (asked the sender) → sent → received → acked; or lost (sent, never seen received) or failed (never left). */
export const messageStatus = z.enum(["pending", "sent", "received", "acked", "lost", "failed"]);
export type MessageStatus = z.infer<typeof messageStatus>;

/** "one-way": receiver's clock minus sender's (same host); "half-rtt": half the acked round trip (hosts differ). */
export const latencyKind = z.enum(["one-way", "half-rtt"]);
export type LatencyKind = z.infer<typeof latencyKind>;

export const trafficPattern = z.enum(["one", "broadcast", "ring", "random", "storm"], {
  error: "pattern must be one of one, broadcast, ring, random, storm",
});
export type TrafficPattern = z.infer<typeof trafficPattern>;

export const exportFormat = z.enum(["json", "csv", "report"], { error: 'format must be "json", "csv" or "report"' });
export type ExportFormat = z.infer<typeof exportFormat>;

/** An Erlang node name as the API takes it ("n3-ab12cd@127.0.0.1"). */
export const nodeName = z.string().min(1, "must not be empty").max(255, "at most 255 characters");

/** A count of messages or nodes. */
export const count = z.number().int().min(0);

/** A time in ms since the epoch (fractional: µs resolution). */
export const epochMs = z.number().min(0);
