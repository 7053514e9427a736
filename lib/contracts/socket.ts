import { z } from "zod";
import { count } from "./common";
import { clusterEventSchema, clusterSchema, messageSchema, pairProgressSchema, statsSchema, trafficStateSchema } from "./http-replies";

// The socket.io contract: one schema per event payload, and socket.io's typed event maps derived
// from them. Control goes through the HTTP API; the socket carries live state only.

/**
 * New or changed messages since the last batch (at most a few hundred: tracked ones, and bulk
 * ones marked `sampled`), how many more changed, and (a few times a second) the books of the
 * pairs that moved: the exact per-pair progress behind the sample.
 */
export const messagesBatchSchema = z.strictObject({ messages: z.array(messageSchema), dropped: count, runs: z.array(pairProgressSchema).optional() });
export type MessagesBatch = z.infer<typeof messagesBatchSchema>;

export const serverToClient = {
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
