import { exportQuery } from "@/lib/schemas";
import { exportResponse } from "@/server/export";
import { handle, parse, query } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, (app) => {
    const q = parse(exportQuery, query(req));
    return exportResponse(app, q.format, { since: q.since, until: q.until });
  });
}
