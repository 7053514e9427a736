import { eventsQuery } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ events: c.app.events(c.query(eventsQuery).limit) }));
