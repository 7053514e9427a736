import { route } from "../../../edge";

export const dynamic = "force-dynamic";

export const POST = route(async (c) => {
  const { name = "" } = await c.params();
  await c.app.kill(name);
  return c.json({ killed: name }, 202);
});
