import type { z } from "zod";
import * as rq from "./http-requests";
import * as rp from "./http-replies";
import * as fq from "./fault-requests";
import * as fp from "./fault-replies";
import * as replay from "./replay";

// The HTTP API as one table: route, method, request schemas and the reply schema of every status.
// The route handlers, the browser's fetchers and the contract tests read it, and the OpenAPI
// document (./openapi.ts, served at /api/openapi.json) is generated from it. Errors are always
// `{error}` (errorReply).

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

interface RouteDef {
  method: HttpMethod;
  /** Path pattern; `:name` matches one URL segment. */
  path: `/api/${string}`;
  summary: string;
  /** More words for the OpenAPI document: limits, defaults, what to expect. */
  description?: string;
  /** Needs `Authorization: Bearer <token>` (default true). */
  auth?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status and its JSON body. */
  status: 200 | 201 | 202;
  reply: z.ZodType;
  /** Media types the success reply may have instead of JSON (GET /api/export). */
  textReplies?: readonly string[];
  /** Error statuses beyond those every route of its kind has (401/403, 429, 400/413, 500, 503). */
  errors?: readonly number[];
  /** What a status means for this route (its error statuses join `errors`). */
  notes?: Readonly<Partial<Record<number, string>>>;
}

export type RouteContract<D extends RouteDef = RouteDef> = D & {
  auth: boolean;
  /** Every status the route answers, with the schema of its JSON body. */
  replies: Readonly<Record<number, z.ZodType>>;
};

function route<const D extends RouteDef>(def: D): RouteContract<D> {
  const auth = def.auth ?? true;
  // Any route: 500 for an unexpected failure, 503 when the service is not attached (server/edge.ts).
  const noted = Object.keys(def.notes ?? {}).map(Number).filter((s) => s !== def.status);
  const errors = new Set<number>([...(def.errors ?? []), ...noted, 500, 503]);
  if (auth) [401, 403].forEach((s) => errors.add(s));
  // Control calls (not GET) are rate-limited per token: 429 with Retry-After (server/edge.ts).
  if (auth && def.method !== "GET") errors.add(429);
  if (def.body) [400, 413].forEach((s) => errors.add(s));
  if (def.query) errors.add(400);
  const replies: Record<number, z.ZodType> = { [def.status]: def.reply };
  for (const s of [...errors].sort((a, b) => a - b)) replies[s] = rp.errorReply;
  return { ...def, auth, replies };
}

const bridgeDown = "the bridge is not up (the runtime is starting, or has no replicas to reach)";

export const routes = {
  health: route({
    method: "GET", path: "/api/health", summary: "liveness; with a valid token also runtime, bridge, store and memory",
    auth: false, status: 200, reply: rp.healthReply,
  }),
  openapi: route({
    method: "GET", path: "/api/openapi.json", summary: "this document: the HTTP API as OpenAPI 3.1", auth: false, status: 200, reply: rp.openApiReply,
  }),
  asyncapi: route({
    method: "GET", path: "/api/asyncapi.json", summary: "the socket.io events as AsyncAPI 3.0", auth: false, status: 200, reply: rp.asyncApiReply,
  }),
  getCluster: route({ method: "GET", path: "/api/cluster", summary: "nodes, replicas, strangers, bridge, deploy progress, hosts", status: 200, reply: rp.clusterSchema }),
  scale: route({
    method: "PUT", path: "/api/cluster", summary: "deploy or scale to `replicas` (0 removes)",
    description: "Answers once the request is queued; requests run one at a time, in order.",
    body: rq.scaleBody, status: 202, reply: rp.scaleReply,
    notes: { 409: "the runtime cannot deploy (no Docker engine, not in swarm mode: see `GET /api/runtime`)" },
  }),
  getRuntime: route({ method: "GET", path: "/api/runtime", summary: "the runtime and whether it can deploy", status: 200, reply: rp.runtimeReply }),
  setRuntime: route({
    method: "POST", path: "/api/runtime", summary: "switch runtime and/or initialise it (docker swarm init)",
    body: rq.runtimeBody, status: 200, reply: rp.runtimeReply,
    notes: { 409: "`init` asked, and the runtime cannot be initialised from here", 500: "the new runtime could not start (the old one is back), or init failed" },
  }),
  listMessages: route({
    method: "GET", path: "/api/messages", summary: "recent messages", query: rq.listQuery, status: 200, reply: rp.messagesReply,
    description: "From SQLite: the newest first; with `after`, those created after it, oldest first. Messages stay until `SWARMSCOPE_RETENTION` drops the oldest.",
  }),
  sendMessage: route({
    method: "POST", path: "/api/messages", summary: "send one message, or to every other node with to: \"*\"",
    description: "The sender sends over real Erlang distribution; each message starts `pending` and moves on as the nodes report it.",
    body: rq.sendBody, status: 202, reply: rp.sendReply,
    notes: {
      404: "`from` or `to` is not a node of this cluster",
      409: "the sender or the receiver is known but not up, or no other node is up for `\"*\"`",
      413: "`content` over 64 KiB, or a body over 256 KiB",
      503: bridgeDown,
    },
  }),
  getMessage: route({
    method: "GET", path: "/api/messages/:id", summary: "one message", params: rq.messageParams, status: 200, reply: rp.messageSchema,
    notes: { 404: "no message with this id (never sent, or dropped by retention)" },
  }),
  killNode: route({
    method: "POST", path: "/api/nodes/:name/kill", summary: "kill a replica's process or task container",
    description: "SIGKILL for a local replica, `docker kill` of the task's container on Swarm; the runtime restarts it.",
    params: rq.nodeParams, status: 202, reply: rp.killReply,
    notes: {
      404: "no replica with this node name, or a task container the Docker engine does not have",
      409: "the replica is not running (a local replica waiting for its restart, a stopped container)",
      503: "the Docker engine did not answer within 10 s",
    },
  }),
  freezeNode: route({
    method: "POST", path: "/api/nodes/:name/freeze", summary: "freeze a replica (docker pause of its task container, on any host)",
    params: rq.nodeParams, status: 200, reply: rp.freezeReply, errors: [404, 409],
  }),
  thawNode: route({
    method: "POST", path: "/api/nodes/:name/thaw", summary: "thaw a frozen replica (docker unpause)",
    params: rq.nodeParams, status: 200, reply: rp.freezeReply, errors: [404, 409],
  }),
  hosts: route({ method: "GET", path: "/api/hosts", summary: "Swarm nodes: state, role, address, agent, replicas on each", status: 200, reply: rp.hostsReply }),
  setHost: route({
    method: "PUT", path: "/api/hosts/:id", summary: "set a Swarm node's availability (drain: Swarm moves its tasks away)",
    params: rq.hostParams, body: rq.hostBody, status: 200, reply: rp.hostReply, errors: [404, 409],
  }),
  partitionHost: route({
    method: "POST", path: "/api/hosts/:id/partition", summary: "cut a host off from the other hosts (its replicas and theirs stop reaching each other)",
    params: rq.hostParams, status: 200, reply: rp.hostReply, errors: [404, 409],
  }),
  healHost: route({
    method: "DELETE", path: "/api/hosts/:id/partition", summary: "heal a host's partition",
    params: rq.hostParams, status: 200, reply: rp.hostReply, errors: [404, 409],
  }),
  inbox: route({
    method: "GET", path: "/api/nodes/:name/inbox", summary: "a node's inbox, asked with the seed protocol's {get, Pid}",
    params: rq.nodeParams, status: 200, reply: rp.inboxReply,
    notes: { 404: "not a node of this cluster", 409: "the node is known but not up", 503: bridgeDown },
  }),
  getTraffic: route({ method: "GET", path: "/api/traffic", summary: "the current or last traffic run, live", status: 200, reply: rp.trafficReply }),
  startTraffic: route({
    method: "POST", path: "/api/traffic", summary: "start a traffic pattern",
    body: rq.trafficBody, status: 202, reply: rp.trafficStartedReply,
    notes: { 400: "a bad field, `from` equal to `to`, or a storm with rate 0", 404: "`from` or `to` is not up", 409: "fewer than 2 nodes up", 503: bridgeDown },
  }),
  stopTraffic: route({
    method: "DELETE", path: "/api/traffic", summary: "stop the running traffic run", status: 200, reply: rp.trafficStartedReply,
    description: "Answers the run, now `stopped`.",
    notes: { 404: "no run is running (an ended run stays as it ended)" },
  }),
  stats: route({ method: "GET", path: "/api/stats", summary: "message counters and latency percentiles", status: 200, reply: rp.statsSchema }),
  events: route({ method: "GET", path: "/api/events", summary: "cluster events, newest first", query: rq.eventsQuery, status: 200, reply: rp.eventsReply }),
  series: route({ method: "GET", path: "/api/series", summary: "chart history per time bucket", query: rq.seriesQuery, status: 200, reply: rp.seriesSchema }),
  replay: route({
    method: "GET", path: "/api/replay", summary: "the stored history of a window, in time order, a page at a time",
    description:
      "Cluster events, messages sent by hand and seed messages (as they ended, with their times), and one item per second of bulk traffic " +
      "(exact counts, latency percentiles, per-node counts, a few sampled receptions). Page with `after` = the previous `next`. " +
      "Links between nodes are not stored: a player draws the up nodes fully meshed.",
    query: replay.replayQuery, status: 200, reply: replay.replayReply,
  }),
  export: route({
    method: "GET", path: "/api/export", summary: "the history as JSON, CSV or a Markdown evidence report",
    query: rq.exportQuery, status: 200, reply: rp.exportJsonReply, textReplies: ["text/csv", "text/markdown"],
  }),
  ...faultRoutes(),
} as const;

function faultRoutes() {
  const notFound = "no fault with this id";
  return {
    listFaults: route({ method: "GET", path: "/api/faults", summary: "active faults (and the last healed) with their measured detection times", status: 200, reply: fp.faultsReply }),
    injectFault: route({
      method: "POST", path: "/api/faults", summary: "inject a fault: kill, freeze, partition, delay or loss",
      description: "Nothing changes on a 400 (unknown node, a node in both groups, an empty group, loss over 100, a missing field).",
      body: fq.faultBody, status: 201, reply: fp.faultReply,
      notes: { 409: "a node is not up, is already frozen, or already has a delay or loss", 503: bridgeDown },
    }),
    healFaults: route({ method: "DELETE", path: "/api/faults", summary: "heal, thaw and clear every active fault", status: 200, reply: fp.faultsHealedReply }),
    healFault: route({
      method: "DELETE", path: "/api/faults/:id", summary: "heal, thaw or clear one fault", params: fq.faultParams, status: 200, reply: fp.faultReply,
      notes: { 404: notFound },
    }),
    listScenarios: route({ method: "GET", path: "/api/scenarios", summary: "the scenarios (steps and captions) and the latest run", status: 200, reply: fp.scenariosReply }),
    runScenario: route({
      method: "POST", path: "/api/scenarios/:name/run", summary: "run a scenario; follow it with GET /api/scenarios/runs/:run or the socket's `scenario` events",
      params: fq.scenarioParams, status: 202, reply: fp.scenarioRunReply,
      notes: { 404: "no scenario with this name", 409: "a scenario is already running" },
    }),
    scenarioRun: route({
      method: "GET", path: "/api/scenarios/runs/:run", summary: "a scenario run: status and steps with measured times", params: fq.scenarioRunParams,
      status: 200, reply: fp.scenarioRunReply, notes: { 404: "no run with this id" },
    }),
  };
}

export type RouteName = keyof typeof routes;
export const routeList: readonly RouteContract[] = Object.values(routes);
