import { route } from "../edge";

export const dynamic = "force-dynamic";

/** Anyone: `{status: "ok"}`. With a valid token (control or view): the runtime, bridge, store and memory too. */
export const GET = route((c) => c.json(c.role ? c.app.health() : { status: "ok" }), { auth: false });
