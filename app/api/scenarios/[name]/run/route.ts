import { route } from "../../../edge";

export const dynamic = "force-dynamic";

/** Starts a scenario; follow it with GET /api/scenarios/runs/:run or the socket's `scenario` events. */
export const POST = route(async (c) => {
  const { name = "" } = await c.params();
  return c.json({ run: c.app.scenarios.start(name) }, 202);
});
