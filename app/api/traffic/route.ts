import { trafficBody } from "@/lib/schemas";
import { handle, json, readBody } from "@/server/http";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(req, (app) => json({ traffic: app.traffic }));
}

export function POST(req: Request) {
  return handle(req, async (app) => json({ traffic: app.startTraffic(await readBody(req, trafficBody)) }, 202));
}

export function DELETE(req: Request) {
  return handle(req, (app) => json({ traffic: app.stopTraffic() }));
}
