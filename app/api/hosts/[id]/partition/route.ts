import { route } from "../../../edge";

export const dynamic = "force-dynamic";

/** Cut the host off from the other hosts: replicas across the cut (and the bridge) stop reaching each other. */
export const POST = route(async (c) => {
  const { id = "" } = await c.params();
  return c.json({ host: await c.app.partitionHost(id, true) });
});

/** Heal the cut. */
export const DELETE = route(async (c) => {
  const { id = "" } = await c.params();
  return c.json({ host: await c.app.partitionHost(id, false) });
});
