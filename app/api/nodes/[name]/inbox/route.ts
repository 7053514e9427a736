import { handle, json } from "@/server/http";

export const dynamic = "force-dynamic";

/** The node's inbox, asked with the seed protocol's {get, Pid}. */
export function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  return handle(req, async (app) => {
    const { name } = await ctx.params;
    return json({ node: name, messages: await app.inbox(name) });
  });
}
