import { openApiDocument } from "@/lib/contracts/openapi";
import { route } from "../edge";

export const dynamic = "force-dynamic";

/** The HTTP API as OpenAPI 3.1, generated from lib/contracts; no token needed. */
export const GET = route((c) => c.json(openApiDocument({ version: c.app.health().version, server: new URL(c.req.url).origin })), { auth: false });
