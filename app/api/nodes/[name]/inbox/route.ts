import { route } from "../../../edge";

export const dynamic = "force-dynamic";

/** The node's inbox, asked with the seed protocol's {get, Pid}. */
export const GET = route(async (c) => {
  const { name = "" } = await c.params();
  return c.json({ node: name, messages: await c.app.inbox(name) });
});
