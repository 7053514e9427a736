import { route } from "../../../edge";

export const dynamic = "force-dynamic";

export const GET = route(async (c) => {
  const { run = "" } = await c.params();
  return c.json({ run: c.app.scenarios.get(run) });
});
