import { replayQuery } from "@/lib/contracts/replay";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json(c.app.replay(c.query(replayQuery))));
