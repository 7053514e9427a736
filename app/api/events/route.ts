import { listQuery } from "@/lib/schemas";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ events: c.app.events(c.query(listQuery).limit) }));
