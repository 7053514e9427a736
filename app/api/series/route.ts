import { seriesQuery } from "@/lib/schemas";
import { handle, json, parse, query } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, async (app) => json(await app.series(parse(seriesQuery, query(req)))));
}
