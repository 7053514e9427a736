import { scaleBody } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json(c.app.cluster()));

export const PUT = route(async (c) => {
  const body = await c.body(scaleBody);
  await c.app.scale(body.replicas, body.runtime);
  return c.json({ accepted: true, replicas: body.replicas, runtime: c.app.cluster().runtime }, 202);
});
