import { hostBody } from "@/lib/contracts/http-requests";
import { route } from "../../edge";

export const dynamic = "force-dynamic";

/** Swarm's availability of the node: `drain` moves its tasks to the other hosts, `active` lets them back. */
export const PUT = route(async (c) => {
  const { id = "" } = await c.params();
  const { availability } = await c.body(hostBody);
  return c.json({ host: await c.app.setHostAvailability(id, availability) });
});
