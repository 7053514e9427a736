import { openApiDocument } from "@/lib/contracts/openapi";
import { route } from "../edge";

export const dynamic = "force-dynamic";

/** The HTTP API as OpenAPI 3.1, generated from lib/contracts; no token needed. Its server: the origin asked. */
export const GET = route(
  (c) => {
    const url = new URL(c.req.url);
    const server = `${url.protocol}//${c.req.headers.get("host") ?? url.host}`;
    return c.json(openApiDocument({ version: c.app.health().version, server }));
  },
  { auth: false },
);
