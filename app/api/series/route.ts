import { seriesQuery } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route(async (c) => c.json(await c.app.series(c.query(seriesQuery))));
