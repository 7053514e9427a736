import { listQuery, sendBody } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => {
  const q = c.query(listQuery);
  return c.json({ messages: c.app.messages(q.limit, q.after) });
});

export const POST = route(async (c) => {
  const body = await c.body(sendBody);
  return c.json({ ids: c.app.send(body.from, body.to, body.content) }, 202);
});
