import { handle, json } from "@/server/http";

export const dynamic = "force-dynamic";

export function POST(req: Request, ctx: { params: Promise<{ name: string }> }) {
  return handle(req, async (app) => {
    const { name } = await ctx.params;
    await app.kill(name);
    return json({ killed: name }, 202);
  });
}
