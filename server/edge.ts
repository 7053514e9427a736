import type { z } from "zod";
import type { Swarmscope } from "./app";
import { bearer, tokenMatches } from "./auth";
import { ApiError } from "./errors";
import { exportResponse } from "./export";
import { json, parse, readBody } from "./http";
import { createLogger } from "./log";
import { clockMs, trace } from "./trace";

// The one boundary between Next.js route handlers and the running server. Route handlers are
// bundled by Next apart from the custom server, so they never import this module statically:
// app/api/edge.ts loads it at run time with an import Next does not bundle, and gets this very
// module instance, the one server/index.ts attached the service to. Errors thrown anywhere in
// server/ are therefore the same classes here, and map to statuses by type.

const log = createLogger("api");

let attached: { app: Swarmscope; token: string } | null = null;

/** Called once by server/index.ts. */
export function attachEdge(app: Swarmscope, token: string): void {
  attached = { app, token };
}

/** What a route handler works with: the service, its request, and helpers that answer. */
export interface RouteContext {
  app: Swarmscope;
  req: Request;
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
 * Every API route goes through here: checks the token, runs the handler, and turns errors into
 * a JSON answer `{error}`: an ApiError (and its subclasses) with its own status, anything else 500.
 */
export async function handle(
  req: Request,
  params: Promise<Record<string, string>> | undefined,
  fn: RouteFn,
  opts: RouteOptions = {},
): Promise<Response> {
  try {
    if (!attached) return json({ error: "Swarmscope is not running in this process (start it with npm start)" }, 503);
    if (opts.auth !== false) {
      const given = bearer(req.headers.get("authorization"));
      if (!given) return json({ error: "missing access token: send Authorization: Bearer <token>" }, 401);
      if (!tokenMatches(given, attached.token)) return json({ error: "wrong access token" }, 403);
    }
    if (!attached.app.config.trace) return await fn(context(attached.app, req, params));
    const t0 = clockMs();
    const res = await fn(context(attached.app, req, params));
    trace("api", `${req.method} ${new URL(req.url).pathname} in=${t0.toFixed(3)}`);
    return res;
  } catch (err) {
    if (err instanceof ApiError) return json({ error: err.message }, err.status);
    log.error(`${req.method} ${new URL(req.url).pathname}: ${(err as Error).stack ?? String(err)}`);
    return json({ error: `internal error: ${(err as Error).message}` }, 500);
  }
}

function context(app: Swarmscope, req: Request, params: Promise<Record<string, string>> | undefined): RouteContext {
  return {
    app,
    req,
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
