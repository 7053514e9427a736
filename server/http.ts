import type { z } from "zod";
import type { Swarmscope } from "./app";
import { bearer, tokenMatches } from "./auth";
import { getContext } from "./context";
import { ApiError, isApiError } from "./errors";

const MAX_BODY_BYTES = 256 * 1024;

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/**
 * Every API route goes through here: checks the token, runs the handler, and turns errors into
 * a JSON answer `{error}` with a 4xx/5xx status. Nothing thrown escapes as a crash.
 */
export async function handle(
  req: Request,
  fn: (app: Swarmscope) => Promise<Response> | Response,
  opts: { auth?: boolean } = {},
): Promise<Response> {
  try {
    const ctx = getContext();
    if (opts.auth !== false) {
      const given = bearer(req.headers.get("authorization"));
      if (!given) return json({ error: "missing access token: send Authorization: Bearer <token>" }, 401);
      if (!tokenMatches(given, ctx.token)) return json({ error: "wrong access token" }, 403);
    }
    return await fn(ctx.app);
  } catch (err) {
    if (isApiError(err)) return json({ error: err.message }, err.status);
    console.error("API error:", err);
    return json({ error: `internal error: ${(err as Error).message}` }, 500);
  }
}

export async function readBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw new ApiError(413, `request body too large: at most ${MAX_BODY_BYTES} bytes`);
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ApiError(413, `request body too large: at most ${MAX_BODY_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError(400, "request body must be JSON");
  }
  return parse(schema, raw);
}

export function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    const status = issue.code === "custom" && /at most .* bytes/.test(issue.message) ? 413 : 400;
    throw new ApiError(status, `${where}${issue.message}`);
  }
  return r.data;
}

export function query(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}
