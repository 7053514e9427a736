import { route } from "../../../edge";

export const dynamic = "force-dynamic";

/** docker pause of the replica's task container, on whichever host it runs; its node goes down after the net tick. */
export const POST = route(async (c) => {
  const { name = "" } = await c.params();
  await c.app.freeze(name, true);
  return c.json({ node: name, frozen: true });
});
