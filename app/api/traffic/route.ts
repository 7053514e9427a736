import { trafficBody } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ traffic: c.app.traffic }));

export const POST = route(async (c) => c.json({ traffic: c.app.startTraffic(await c.body(trafficBody)) }, 202));

export const DELETE = route((c) => c.json({ traffic: c.app.stopTraffic() }));
