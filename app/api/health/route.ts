import { handle, json } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, (app) => json(app.health()), { auth: false });
}
