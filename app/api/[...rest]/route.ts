import { json } from "@/server/http";

export const dynamic = "force-dynamic";

function notFound(req: Request) {
  return json({ error: `no API route ${req.method} ${new URL(req.url).pathname}` }, 404);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as DELETE, notFound as PATCH };
