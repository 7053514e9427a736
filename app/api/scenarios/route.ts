import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ scenarios: c.app.scenarios.list(), latest: c.app.scenarios.latest() }));
