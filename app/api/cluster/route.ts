import { scaleBody } from "@/lib/schemas";
import { handle, json, readBody } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, (app) => json(app.cluster()));
}

export function PUT(req: Request) {
  return handle(req, async (app) => {
    const body = await readBody(req, scaleBody);
    await app.scale(body.replicas, body.runtime);
    return json({ accepted: true, replicas: body.replicas, runtime: app.cluster().runtime }, 202);
  });
}
