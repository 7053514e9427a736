import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ hosts: c.app.hosts() }));
