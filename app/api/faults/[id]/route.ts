import { route } from "../../edge";

export const dynamic = "force-dynamic";

/** Heals, thaws or clears one fault (a kill only leaves the active list). */
export const DELETE = route(async (c) => {
  const { id = "" } = await c.params();
  return c.json({ fault: await c.app.faults.heal(id) });
});
