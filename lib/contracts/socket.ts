import { z } from "zod";
import { count } from "./common";
import { clusterEventSchema, clusterSchema, messageSchema, statsSchema, trafficStateSchema } from "./http-replies";

// The socket.io contract: one schema per event payload, and socket.io's typed event maps derived
// from them. Control goes through the HTTP API; the socket carries live state only.

/** New or changed messages since the last batch (the newest 100 at most), and how many more changed. */
export const messagesBatchSchema = z
  .strictObject({
    messages: z.array(messageSchema).describe("the messages that changed since the last batch, the newest 100 at most, each as it is now"),
    dropped: count.describe("how many more changed and are left out of this batch (the counters include them; GET /api/messages has them)"),
  })
  .describe(
    "Pushed as soon as a message changes. After a batch of at most 20 changes the next may follow 1 ms later; " +
      "after a larger one, batches are 20 ms apart (10k messages/s become ~50 batches a second). A message that changes " +
      "twice between two batches shows once, as it is then (an API send may show first as `sent` or later).",
  );
export type MessagesBatch = z.infer<typeof messagesBatchSchema>;

export const serverToClient = {
  cluster: clusterSchema,
  messages: messagesBatchSchema,
  stats: statsSchema,
  event: clusterEventSchema,
  traffic: trafficStateSchema,
} as const satisfies Record<string, z.ZodType>;

/** When each event is sent (the AsyncAPI document, ./asyncapi.ts, carries these). */
export const serverEventDocs: Record<keyof typeof serverToClient, string> = {
  cluster: "The cluster as GET /api/cluster shows it: on connecting, when it changed (with the next message batch), and every 5 s.",
  messages: "Batches of new or changed messages (see MessagesBatch for the timing).",
  stats: "The counters as GET /api/stats shows them: on connecting, then every 500 ms.",
  event: "One cluster event (joins, downs, deploys, traffic) as it is recorded.",
  traffic:
    "The current traffic run as GET /api/traffic shows it: on connecting (when there is one), at once on start and end, at most every 250 ms in between.",
};

export const clientToServer = {} as const satisfies Record<string, z.ZodType>;

type EventMap<S extends Record<string, z.ZodType>> = { [K in keyof S]: (payload: z.infer<S[K]>) => void };

export type ServerToClientEvents = EventMap<typeof serverToClient>;
export type ClientToServerEvents = EventMap<typeof clientToServer>;
export type ServerEventName = keyof typeof serverToClient;

export function isServerEvent(name: string): name is ServerEventName {
  return Object.hasOwn(serverToClient, name);
}
