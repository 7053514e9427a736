import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json(c.app.health()), { auth: false });
