import { z } from "zod";
import { errorReply } from "./http-replies";
import { type RouteContract, routeList } from "./routes";

// Looking up the route table: which contract a request falls under, and whether a reply keeps it.

/** The path parameters when `pathname` fits `pattern` ("/api/nodes/:name/kill"), else null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = pathname.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, w] of want.entries()) {
    const g = got[i]!;
    if (w.startsWith(":")) {
      if (g === "") return null;
      params[w.slice(1)] = safeDecode(g);
    } else if (w !== g) return null;
  }
  return params;
}

/** Whether every segment of a path is valid percent-encoded UTF-8. */
export function decodes(pathname: string): boolean {
  try {
    pathname.split("/").forEach((seg) => decodeURIComponent(seg));
    return true;
  } catch {
    return false;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function findRoute(method: string, pathname: string): { route: RouteContract; params: Record<string, string> } | undefined {
  for (const route of routeList) {
    if (route.method !== method.toUpperCase()) continue;
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return undefined;
}

/** A path with its parameters filled in and a query string from the defined values. */
export function buildPath(route: Pick<RouteContract, "path">, params: Record<string, string> = {}, query: Record<string, string | number | boolean | undefined> = {}): string {
  const path = route.path.replace(/:(\w+)/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`${route.path}: missing path parameter ${k}`);
    return encodeURIComponent(v);
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export interface Reply {
  method: string;
  /** Path with optional query, or a full URL. */
  url: string;
  status: number;
  contentType: string | null;
  /** The parsed JSON body; the raw text when it is not JSON. */
  body: unknown;
}

export type Verdict = { ok: true } | { ok: false; problem: string };

/**
 * Whether a reply keeps the contract: the route lists its status, and its body validates against
 * that status's schema (errors against `{error}`). A path no route has is answered 404 `{error}`
 * by the catch-all; a known path with a method it lacks, 405 by Next.js.
 */
export function checkReply(r: Reply): Verdict {
  const pathname = new URL(r.url, "http://x").pathname;
  const what = `${r.method} ${pathname} → ${r.status}`;
  // A path that does not decode (`%ff`, `%zz`) is refused before any route: 400 {error}.
  if (!decodes(pathname)) return r.status === 400 ? validate(what, errorReply, r.body) : { ok: false, problem: `${what}: a path that does not decode, expected 400 {error}` };
  const found = findRoute(r.method, pathname);
  if (!found) {
    if (routeList.some((x) => matchPath(x.path, pathname))) {
      return r.status === 405 ? { ok: true } : { ok: false, problem: `${what}: no ${r.method} route has this path, expected 405` };
    }
    if (r.status !== 404) return { ok: false, problem: `${what}: no route has this path, expected 404 {error}` };
    return validate(what, errorReply, r.body);
  }
  const { route } = found;
  const schema = route.replies[r.status];
  if (!schema) {
    return { ok: false, problem: `${what}: status not in the contract of ${route.method} ${route.path} (${Object.keys(route.replies).join(", ")})` };
  }
  const media = (r.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media !== "application/json") {
    if (r.status === route.status && route.textReplies?.includes(media)) return { ok: true };
    return { ok: false, problem: `${what}: content-type "${r.contentType}" where the contract has JSON` };
  }
  return validate(what, schema, r.body);
}

function validate(what: string, schema: z.ZodType, body: unknown): Verdict {
  const v = schema.safeParse(body);
  return v.success ? { ok: true } : { ok: false, problem: `${what}: the reply does not match the contract:\n${z.prettifyError(v.error)}` };
}
