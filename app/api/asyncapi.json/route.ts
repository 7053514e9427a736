import { asyncApiDocument } from "@/lib/contracts/asyncapi";
import { route } from "../edge";

export const dynamic = "force-dynamic";

/** The socket.io events as AsyncAPI 3.0, generated from lib/contracts/socket.ts; no token needed. */
export const GET = route(
  (c) => c.json(asyncApiDocument({ version: c.app.health().version, host: c.req.headers.get("host") ?? new URL(c.req.url).host })),
  { auth: false },
);
