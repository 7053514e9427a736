import { z } from "zod";
import { count } from "./common";
import { clusterEventSchema, clusterSchema, messageSchema, statsSchema, trafficStateSchema } from "./http-replies";

// The socket.io contract: one schema per event payload, and socket.io's typed event maps derived
// from them. Control goes through the HTTP API; the socket carries live state only.

/**
 * New or changed messages since the last batch (at most a few hundred), and how many more changed.
 * `seq` numbers the batches (this server always sends it): each is the previous one's + 1, the
 * first after a `snapshot` is the snapshot's `seq` + 1.
 */
export const messagesBatchSchema = z.strictObject({ messages: z.array(messageSchema), dropped: count, seq: count.optional() });
export type MessagesBatch = z.infer<typeof messagesBatchSchema>;

/** At most this many messages in a snapshot (the newest). */
export const SNAPSHOT_MESSAGES = 500;

/**
 * The whole live state, sent first on every connection (and so on every reconnect), taken at one
 * moment: everything that changes after it comes as events on the same connection, in order, so
 * a client that applies the snapshot and then the events misses nothing in between. Messages
 * older than the newest SNAPSHOT_MESSAGES are in `GET /api/messages`.
 */
export const snapshotSchema = z.strictObject({
  /** The `seq` of the last messages batch sent before it: the next batch is seq + 1. */
  seq: count,
  cluster: clusterSchema,
  stats: statsSchema,
  traffic: trafficStateSchema.nullable(),
  /** The newest messages, newest first. */
  messages: z.array(messageSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export const serverToClient = {
  /** First on every connection: the state now; the events below then carry every change. */
  snapshot: snapshotSchema,
  /** The cluster view, when it changed (and every 5 s: flags depend on time passing). */
  cluster: clusterSchema,
  messages: messagesBatchSchema,
  /** The counters, a few times a second. */
  stats: statsSchema,
  /** One cluster event (joins, downs, deploys, traffic). */
  event: clusterEventSchema,
  /** The current traffic run: at once on start and end, at most every 250 ms in between. */
  traffic: trafficStateSchema,
} as const satisfies Record<string, z.ZodType>;

export const clientToServer = {} as const satisfies Record<string, z.ZodType>;

type EventMap<S extends Record<string, z.ZodType>> = { [K in keyof S]: (payload: z.infer<S[K]>) => void };

export type ServerToClientEvents = EventMap<typeof serverToClient>;
export type ClientToServerEvents = EventMap<typeof clientToServer>;
export type ServerEventName = keyof typeof serverToClient;

export function isServerEvent(name: string): name is ServerEventName {
  return Object.hasOwn(serverToClient, name);
}
