import type { z } from "zod";
import type { Swarmscope } from "./app";
import { VIEW_TOKEN_REFUSAL } from "../lib/contracts/common";
import { bearer, type Credentials, isControlMethod, type Role, roleOf, URL_TOKEN_PARAMS } from "./auth";
import { ApiError } from "./errors";
import { exportResponse } from "./export";
import { json, parse, readBody } from "./http";
import { createLogger } from "./log";
import { TokenBuckets } from "./rate-limit";
import { clockMs, trace } from "./trace";

// The one boundary between Next.js route handlers and the running server. Route handlers are
// bundled by Next apart from the custom server, so they never import this module statically:
// app/api/edge.ts loads it at run time with an import Next does not bundle, and gets this very
// module instance, the one server/index.ts attached the service to. Errors thrown anywhere in
// server/ are therefore the same classes here, and map to statuses by type.

const log = createLogger("api");

let attached: { app: Swarmscope; creds: Credentials; limits: TokenBuckets } | null = null;

export interface EdgeOptions {
  /** Control calls a second per token, on average; bursts of 4 s worth (default 50/s, burst 200). */
  controlRate?: number;
}

/** Called once by server/index.ts. */
export function attachEdge(app: Swarmscope, creds: Credentials, opts: EdgeOptions = {}): void {
  const rate = opts.controlRate ?? 50;
  attached = { app, creds, limits: new TokenBuckets(rate, Math.max(1, rate * 4)) };
}

/** What a route handler works with: the service, its request, and helpers that answer. */
export interface RouteContext {
  app: Swarmscope;
  req: Request;
  /** The credential the request carries (routes without auth see null when it has none or a wrong one). */
  role: Role | null;
  /** The route's dynamic segments (`[name]`, `[id]`). */
  params(): Promise<Record<string, string>>;
  /** The JSON body, validated (400/413 with a clear message otherwise). */
  body<T extends z.ZodType>(schema: T): Promise<z.infer<T>>;
  /** The query string, validated. */
  query<T extends z.ZodType>(schema: T): z.infer<T>;
  json(body: unknown, status?: number): Response;
  /** Stops the handler with this status and message. */
  fail(status: number, message: string): never;
  exportResponse: typeof exportResponse;
}

export type RouteFn = (c: RouteContext) => Promise<Response> | Response;
export interface RouteOptions {
  /** false: answers without the access token (only /api/health and the 404 catch-all). */
  auth?: boolean;
}

/**
 * Every API route goes through here: checks the token (header only; the view token reads, never
 * controls), rate-limits control calls per token, runs the handler, and turns errors into a JSON
 * answer `{error}`: an ApiError (and its subclasses) with its own status, anything else 500.
 */
export async function handle(
  req: Request,
  params: Promise<Record<string, string>> | undefined,
  fn: RouteFn,
  opts: RouteOptions = {},
): Promise<Response> {
  try {
    if (!attached) return json({ error: "Swarmscope is not running in this process (start it with npm start)" }, 503);
    const given = bearer(req.headers.get("authorization"));
    const role = roleOf(given, attached.creds);
    if (opts.auth !== false) {
      const refused = refusal(req, given, role);
      if (refused) return refused;
    }
    if (!attached.app.config.trace) return await fn(context(attached.app, req, role, params));
    const t0 = clockMs();
    const res = await fn(context(attached.app, req, role, params));
    trace("api", `${req.method} ${new URL(req.url).pathname} in=${t0.toFixed(3)}`);
    return res;
  } catch (err) {
    if (err instanceof ApiError) return json({ error: err.message }, err.status);
    log.error(`${req.method} ${new URL(req.url).pathname}: ${(err as Error).stack ?? String(err)}`);
    return json({ error: `internal error: ${(err as Error).message}` }, 500);
  }
}

/** Why a request to a route that needs a token is refused, as the answer; null when it may go on. */
function refusal(req: Request, given: string | null, role: Role | null): Response | null {
  const query = new URL(req.url).searchParams;
  if (URL_TOKEN_PARAMS.some((p) => query.has(p))) {
    return json({ error: "tokens are not accepted in the URL of an API call (URLs end up in logs and history): send Authorization: Bearer <token>" }, 401);
  }
  if (!given) return json({ error: "missing access token: send Authorization: Bearer <token>" }, 401);
  if (!role) return json({ error: "wrong access token" }, 403);
  if (!isControlMethod(req.method)) return null;
  if (role === "view") return json({ error: VIEW_TOKEN_REFUSAL }, 403);
  const wait = attached!.limits.take(given);
  if (wait === 0) return null;
  const after = Math.ceil(wait);
  const res = json({ error: `too many control calls: at most ${attached!.limits.ratePerS}/s per token (bursts of ${attached!.limits.burst}); retry in ${after} s` }, 429);
  res.headers.set("retry-after", String(after));
  return res;
}

function context(app: Swarmscope, req: Request, role: Role | null, params: Promise<Record<string, string>> | undefined): RouteContext {
  return {
    app,
    req,
    role,
    params: async () => (await params) ?? {},
    body: (schema) => readBody(req, schema),
    query: (schema) => parse(schema, Object.fromEntries(new URL(req.url).searchParams)),
    json,
    fail: (status, message) => {
      throw new ApiError(status, message);
    },
    exportResponse,
  };
}
