import { route } from "../../edge";

export const dynamic = "force-dynamic";

export const GET = route(async (c) => {
  const { id = "" } = await c.params();
  return c.json(c.app.message(id) ?? c.fail(404, `no message with id ${id}`));
});
