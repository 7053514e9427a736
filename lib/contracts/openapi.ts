import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { errorReply } from "./http-replies";
import { type RouteContract, routes } from "./routes";
import { replyComponents, requestComponents } from "./schema-names";

// The HTTP API as an OpenAPI 3.1 document, generated from the route table and the zod schemas the
// server validates with (zod-openapi renders them through zod's own toJSONSchema). Served at
// GET /api/openapi.json; the tests validate it and generate a client from it.

/** What each status means on any route; a route's `notes` say more. */
const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  202: "Accepted",
  400: "Bad input: the message says which field and why",
  401: "No access token: send `Authorization: Bearer <token>`",
  403: "Wrong access token",
  404: "Not found",
  409: "Conflicts with the current state",
  413: "Request body over 256 KiB",
  500: "Unexpected failure: the message says what failed",
  503: "Not available right now (Swarmscope is not running in this process, or is stopping)",
};

const INFO_DESCRIPTION = [
  "Swarmscope deploys Erlang node replicas (local processes or a Docker Swarm service), sends messages between them over real",
  "Erlang distribution and reports every reception. Every call but `/api/health` and the API documents needs",
  "`Authorization: Bearer <token>` (`SWARMSCOPE_TOKEN`, or the token printed in the start URL). Errors are `{error}`",
  "with a 4xx or 5xx status. Live updates come over socket.io on the same origin: see `/api/asyncapi.json`.",
].join(" ");

/** "/api/nodes/:name/kill" → "/api/nodes/{name}/kill". */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, "{$1}");
}

function responses(r: RouteContract): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const [code, schema] of Object.entries(r.replies)) {
    const status = Number(code);
    const note = r.notes?.[status];
    const content: Record<string, { schema: z.ZodType }> = { "application/json": { schema } };
    if (status === r.status) for (const media of r.textReplies ?? []) content[media] = { schema: z.string() };
    out[code as `${1 | 2 | 3 | 4 | 5}${string}`] = { description: note ? `${STATUS_TEXT[status] ?? "Error"}: ${note}` : (STATUS_TEXT[status] ?? "Error"), content };
  }
  return out;
}

function operation(name: string, r: RouteContract): ZodOpenApiOperationObject {
  const op: ZodOpenApiOperationObject = { operationId: name, summary: r.summary, responses: responses(r) };
  if (r.description) op.description = r.description;
  if (!r.auth) op.security = [];
  const params = { ...(r.params ? { path: r.params as never } : {}), ...(r.query ? { query: r.query as never } : {}) };
  if (Object.keys(params).length > 0) op.requestParams = params;
  if (r.body) op.requestBody = { required: true, content: { "application/json": { schema: r.body } } };
  return op;
}

function paths(): ZodOpenApiPathsObject {
  const out: ZodOpenApiPathsObject = {};
  for (const [name, r] of Object.entries(routes) as [string, RouteContract][]) {
    const item = (out[openApiPath(r.path)] ??= {});
    item[r.method.toLowerCase() as "get"] = operation(name, r);
  }
  return out;
}

const cache = new Map<string, object>();

/** The OpenAPI 3.1 document; `server` is the origin clients reach (e.g. "http://127.0.0.1:3000"). */
export function openApiDocument(opts: { version: string; server?: string }): Record<string, unknown> {
  const key = `${opts.version} ${opts.server ?? ""}`;
  const hit = cache.get(key);
  if (hit) return hit as Record<string, unknown>;
  const doc = createDocument({
    openapi: "3.1.0",
    info: { title: "Swarmscope HTTP API", version: opts.version, description: INFO_DESCRIPTION },
    servers: [{ url: opts.server ?? "/" }],
    security: [{ bearer: [] }],
    paths: paths(),
    components: {
      schemas: { ...requestComponents, ...replyComponents, ErrorReply: errorReply },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "The access token: `SWARMSCOPE_TOKEN`, or the one printed in the start URL." },
      },
    },
  }) as unknown as Record<string, unknown>;
  cache.set(key, doc);
  return doc;
}
