import { handle, json } from "@/server/http";
import { ApiError } from "@/server/errors";

export const dynamic = "force-dynamic";

export function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(req, async (app) => {
    const { id } = await ctx.params;
    const m = app.message(id);
    if (!m) throw new ApiError(404, `no message with id ${id}`);
    return json(m);
  });
}
