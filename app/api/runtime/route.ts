import { z } from "zod";
import { handle, json, readBody } from "@/server/http";

export const dynamic = "force-dynamic";

const runtimeBody = z.strictObject({
  runtime: z.enum(["local", "swarm"], { error: 'runtime must be "local" or "swarm"' }).optional(),
  init: z.boolean().optional(),
});

export function GET(req: Request) {
  return handle(req, (app) => json({ runtime: app.cluster().runtime, status: app.cluster().runtimeStatus }));
}

/** Switch runtime ({runtime}) and/or make it ready ({init: true}: `docker swarm init`). */
export function POST(req: Request) {
  return handle(req, async (app) => {
    const body = await readBody(req, runtimeBody);
    if (body.runtime) await app.switchTo(body.runtime);
    const status = body.init ? await app.initRuntime() : app.cluster().runtimeStatus;
    return json({ runtime: app.cluster().runtime, status });
  });
}
