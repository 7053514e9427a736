import { listQuery, sendBody } from "@/lib/schemas";
import { handle, json, parse, query, readBody } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, (app) => {
    const q = parse(listQuery, query(req));
    return json({ messages: app.messages(q.limit, q.after) });
  });
}

export function POST(req: Request) {
  return handle(req, async (app) => {
    const body = await readBody(req, sendBody);
    return json({ ids: app.send(body.from, body.to, body.content) }, 202);
  });
}
