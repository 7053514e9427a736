import type { z } from "zod";
import * as rq from "./http-requests";
import * as rp from "./http-replies";

// The HTTP API as one table: route, method, request schemas and the reply schema of every status.
// The route handlers, the browser's fetchers and the contract tests read it, and so can an
// OpenAPI generator. Errors are always `{error}` (errorReply).

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

interface RouteDef {
  method: HttpMethod;
  /** Path pattern; `:name` matches one URL segment. */
  path: `/api/${string}`;
  summary: string;
  /** Needs `Authorization: Bearer <token>` (default true). */
  auth?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status and its JSON body. */
  status: 200 | 202;
  reply: z.ZodType;
  /** Media types the success reply may have instead of JSON (GET /api/export). */
  textReplies?: readonly string[];
  /** Error statuses beyond those every route of its kind has (401/403, 429, 400/413, 500, 503). */
  errors?: readonly number[];
}

export type RouteContract<D extends RouteDef = RouteDef> = D & {
  auth: boolean;
  /** Every status the route answers, with the schema of its JSON body. */
  replies: Readonly<Record<number, z.ZodType>>;
};

function route<const D extends RouteDef>(def: D): RouteContract<D> {
  const auth = def.auth ?? true;
  // Any route: 500 for an unexpected failure, 503 when the service is not attached (server/edge.ts).
  const errors = new Set<number>([...(def.errors ?? []), 500, 503]);
  if (auth) [401, 403].forEach((s) => errors.add(s));
  // Control calls (not GET) are rate-limited per token: 429 with Retry-After (server/edge.ts).
  if (auth && def.method !== "GET") errors.add(429);
  if (def.body) [400, 413].forEach((s) => errors.add(s));
  if (def.query) errors.add(400);
  const replies: Record<number, z.ZodType> = { [def.status]: def.reply };
  for (const s of [...errors].sort((a, b) => a - b)) replies[s] = rp.errorReply;
  return { ...def, auth, replies };
}

export const routes = {
  health: route({
    method: "GET", path: "/api/health", summary: "liveness; with a valid token also runtime, bridge, store and memory",
    auth: false, status: 200, reply: rp.healthReply,
  }),
  getCluster: route({ method: "GET", path: "/api/cluster", summary: "nodes, replicas, bridge, deploy progress", status: 200, reply: rp.clusterSchema }),
  scale: route({
    method: "PUT", path: "/api/cluster", summary: "deploy or scale to `replicas` (0 removes)",
    body: rq.scaleBody, status: 202, reply: rp.scaleReply, errors: [409],
  }),
  getRuntime: route({ method: "GET", path: "/api/runtime", summary: "the runtime and whether it can deploy", status: 200, reply: rp.runtimeReply }),
  setRuntime: route({
    method: "POST", path: "/api/runtime", summary: "switch runtime and/or initialise it (docker swarm init)",
    body: rq.runtimeBody, status: 200, reply: rp.runtimeReply, errors: [409],
  }),
  listMessages: route({ method: "GET", path: "/api/messages", summary: "recent messages", query: rq.listQuery, status: 200, reply: rp.messagesReply }),
  sendMessage: route({
    method: "POST", path: "/api/messages", summary: "send one message, or to every other node with to: \"*\"",
    body: rq.sendBody, status: 202, reply: rp.sendReply, errors: [404, 409, 503],
  }),
  getMessage: route({
    method: "GET", path: "/api/messages/:id", summary: "one message", params: rq.messageParams, status: 200, reply: rp.messageSchema, errors: [404],
  }),
  killNode: route({
    method: "POST", path: "/api/nodes/:name/kill", summary: "kill a replica's process or task container",
    params: rq.nodeParams, status: 202, reply: rp.killReply, errors: [404, 409],
  }),
  inbox: route({
    method: "GET", path: "/api/nodes/:name/inbox", summary: "a node's inbox, asked with the seed protocol's {get, Pid}",
    params: rq.nodeParams, status: 200, reply: rp.inboxReply, errors: [404, 409, 503],
  }),
  getTraffic: route({ method: "GET", path: "/api/traffic", summary: "the current or last traffic run", status: 200, reply: rp.trafficReply }),
  startTraffic: route({
    method: "POST", path: "/api/traffic", summary: "start a traffic pattern",
    body: rq.trafficBody, status: 202, reply: rp.trafficStartedReply, errors: [404, 409, 503],
  }),
  stopTraffic: route({
    method: "DELETE", path: "/api/traffic", summary: "stop the traffic run", status: 200, reply: rp.trafficStartedReply, errors: [404],
  }),
  stats: route({ method: "GET", path: "/api/stats", summary: "message counters and latency percentiles", status: 200, reply: rp.statsSchema }),
  events: route({ method: "GET", path: "/api/events", summary: "cluster events, newest first", query: rq.listQuery, status: 200, reply: rp.eventsReply }),
  series: route({ method: "GET", path: "/api/series", summary: "chart history per time bucket", query: rq.seriesQuery, status: 200, reply: rp.seriesSchema }),
  export: route({
    method: "GET", path: "/api/export", summary: "the history as JSON, CSV or a Markdown evidence report",
    query: rq.exportQuery, status: 200, reply: rp.exportJsonReply, textReplies: ["text/csv", "text/markdown"],
  }),
} as const;

export type RouteName = keyof typeof routes;
export const routeList: readonly RouteContract[] = Object.values(routes);
