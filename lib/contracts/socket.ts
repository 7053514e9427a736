import { z } from "zod";
import { count } from "./common";
import { scenarioRunSchema } from "./fault-replies";
import {
  type ClusterDTO,
  clusterEventSchema,
  clusterSchema,
  messageSchema,
  type NodeDTO,
  nodeSchema,
  pairProgressSchema,
  statsSchema,
  trafficStateSchema,
} from "./http-replies";

// The socket.io contract: one schema per event payload, and socket.io's typed event maps derived
// from them. Control goes through the HTTP API; the socket carries live state only.

/**
 * New or changed messages since the last batch (tracked ones, and bulk ones marked `sampled`), how
 * many more changed, and (a few times a second) the books of the pairs that moved: the exact
 * per-pair progress behind the sample. `seq` numbers the batches: each is the previous one's + 1,
 * the first after a `snapshot` is the snapshot's `seq` + 1.
 */
export const messagesBatchSchema = z
  .strictObject({
    messages: z.array(messageSchema).describe("the messages that changed since the last batch, the newest 100 at most, each as it is now"),
    dropped: count.describe("how many more changed and are left out of this batch (the counters include them; GET /api/messages has them)"),
    runs: z.array(pairProgressSchema).optional().describe("the books of the sender → receiver pairs that moved (a few times a second)"),
    seq: count.optional().describe("the batch's number: the previous batch's + 1; the first after a `snapshot` is its `seq` + 1"),
  })
  .describe(
    "Pushed as soon as a message changes, at the end of the server's event-loop turn: up to 8 batches in a row, then one per 4 ms; " +
      "after a batch of more than 20 changes, batches are 20 ms apart (10k messages/s become ~50 batches a second). A message that changes " +
      "twice between two batches shows once, as it is then (an API send may show first as `sent` or later).",
  );
export type MessagesBatch = z.infer<typeof messagesBatchSchema>;

/** At most this many messages in a snapshot (the newest). */
export const SNAPSHOT_MESSAGES = 500;
/** At most this many pairs' books in a snapshot (the latest to receive). */
export const SNAPSHOT_RUNS = 50;

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
  /** The exact books of the pairs that moved last, most recent first (at most SNAPSHOT_RUNS): what the timeline's runs strip shows before the next batch moves them. */
  runs: z.array(pairProgressSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/**
 * The `cluster` event: the view GET /api/cluster gives, except that a node's `links` are left out
 * when they are the same as in the last `cluster` event (or snapshot) this connection got. A full
 * mesh of 200 nodes names 39,800 link ends (~1 MB of JSON a view, pushed every second while the
 * counters move); its links seldom change. liveCluster() fills them in.
 */
export const clusterPushSchema = clusterSchema.extend({
  nodes: z.array(
    nodeSchema.extend({
      links: nodeSchema.shape.links.optional().describe("left out: the same as in the last cluster event (or snapshot) on this connection"),
    }),
  ),
});
export type ClusterPush = z.infer<typeof clusterPushSchema>;

/** A cluster event made whole: each node's links left out taken from the view before (none: no links). */
export function liveCluster(push: ClusterPush, before: ClusterDTO | undefined): ClusterDTO {
  const was = new Map(before?.nodes.map((n) => [n.name, n.links]));
  return { ...push, nodes: push.nodes.map((n) => (n.links ? (n as NodeDTO) : { ...n, links: was.get(n.name) ?? [] })) };
}

/**
 * The server's side: for each view to push, the nodes whose links are the same as in the last one
 * pushed go without them. forget() after a connection got a full view: the next push is whole, so
 * no connection is ever told "the same" against a view it did not get.
 */
export function linkSparing() {
  let last = new Map<string, readonly string[]>();
  const same = (a: readonly string[] | undefined, b: readonly string[]) => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    push(view: ClusterDTO): ClusterPush {
      const prev = last;
      last = new Map(view.nodes.map((n) => [n.name, n.links]));
      return { ...view, nodes: view.nodes.map((n) => (same(prev.get(n.name), n.links) ? { ...n, links: undefined } : n)) };
    },
    forget(): void {
      last = new Map();
    },
  };
}

export const serverToClient = {
  /** First on every connection: the state now; the events below then carry every change. */
  snapshot: snapshotSchema,
  /** The cluster view, when it changed (and every 5 s: flags depend on time passing); links left out where unchanged. */
  cluster: clusterPushSchema,
  messages: messagesBatchSchema,
  stats: statsSchema,
  event: clusterEventSchema,
  traffic: trafficStateSchema,
  scenario: scenarioRunSchema,
} as const satisfies Record<string, z.ZodType>;

/** When each event is sent (the AsyncAPI document, ./asyncapi.ts, carries these). */
export const serverEventDocs: Record<keyof typeof serverToClient, string> = {
  snapshot:
    "First on every connection (and so on every reconnect): the cluster, counters, traffic run and newest messages at one moment, with the number of the last messages batch; the events after it carry every change.",
  cluster:
    "The cluster as GET /api/cluster shows it: on connecting, when it changed (with the next message batch), and every 5 s. " +
    "A node's `links` are left out when they are the same as in the last cluster event (or snapshot) on this connection.",
  messages: "Batches of new or changed messages (see MessagesBatch for the timing).",
  stats: "The counters as GET /api/stats shows them: on connecting, then every 500 ms.",
  event: "One cluster event (joins, downs, deploys, traffic) as it is recorded.",
  traffic:
    "The current traffic run as GET /api/traffic shows it: on connecting (when there is one), at once on start and end, at most every 250 ms in between.",
  scenario: "A scenario run as GET /api/scenarios/runs/:run shows it: when it starts, when each step starts and ends, and when it ends.",
};

export const clientToServer = {} as const satisfies Record<string, z.ZodType>;

type EventMap<S extends Record<string, z.ZodType>> = { [K in keyof S]: (payload: z.infer<S[K]>) => void };

export type ServerToClientEvents = EventMap<typeof serverToClient>;
export type ClientToServerEvents = EventMap<typeof clientToServer>;
export type ServerEventName = keyof typeof serverToClient;

export function isServerEvent(name: string): name is ServerEventName {
  return Object.hasOwn(serverToClient, name);
}
