import type { IncomingMessage, ServerResponse } from "node:http";
import { decodes } from "../lib/contracts/route-match";

/**
 * Answers 400 `{error}` to a request whose path does not decode (`/api/nodes/%ff/kill`): Next.js
 * would throw a URIError on it and answer 500. Returns true when it answered.
 */
export function refuseUndecodablePath(req: IncomingMessage, res: ServerResponse): boolean {
  if (decodes((req.url ?? "/").split("?")[0]!)) return false;
  res.writeHead(400, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ error: "the URL path is not valid percent-encoded UTF-8" }));
  return true;
}
