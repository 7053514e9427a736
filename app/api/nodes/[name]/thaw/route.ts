import { route } from "../../../edge";

export const dynamic = "force-dynamic";

/** docker unpause: the replica's node comes back (it reconnects by itself). */
export const POST = route(async (c) => {
  const { name = "" } = await c.params();
  await c.app.freeze(name, false);
  return c.json({ node: name, frozen: false });
});
