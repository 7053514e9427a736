import { runtimeBody } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ runtime: c.app.cluster().runtime, status: c.app.cluster().runtimeStatus }));

/** Switch runtime ({runtime}) and/or make it ready ({init: true}: `docker swarm init`). */
export const POST = route(async (c) => {
  const body = await c.body(runtimeBody);
  if (body.runtime) await c.app.switchTo(body.runtime);
  const status = body.init ? await c.app.initRuntime() : c.app.cluster().runtimeStatus;
  return c.json({ runtime: c.app.cluster().runtime, status });
});
