import { listQuery } from "@/lib/schemas";
import { handle, json, parse, query } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, (app) => json({ events: app.events(parse(listQuery, query(req)).limit) }));
}
