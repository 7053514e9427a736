import { route } from "../edge";

export const dynamic = "force-dynamic";

const notFound = route((c) => c.fail(404, `no API route ${c.req.method} ${new URL(c.req.url).pathname}`), { auth: false });

export { notFound as GET, notFound as POST, notFound as PUT, notFound as DELETE, notFound as PATCH };
