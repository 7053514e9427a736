import { exportQuery } from "@/lib/contracts/http-requests";
import { route } from "../edge";

export const dynamic = "force-dynamic";

export const GET = route((c) => {
  const q = c.query(exportQuery);
  return c.exportResponse(c.app, q.format, { since: q.since, until: q.until }, Date.now(), q.expand === "1");
});
