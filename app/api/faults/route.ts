import { faultBody } from "@/lib/contracts/fault-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => c.json({ tickMs: c.app.config.tickMs, faults: c.app.faults.list() }));

export const POST = route(async (c) => c.json({ fault: await c.app.faults.inject(await c.body(faultBody)) }, 201));

export const DELETE = route(async (c) => c.json({ faults: await c.app.faults.healAll() }));
