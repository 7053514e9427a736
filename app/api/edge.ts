import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Edge from "../../server/edge";

// Route handlers reach the running server through server/edge.ts, imported at run time and
// never bundled: Next resolves this import in Node, so it is the module instance the custom
// server loaded (server/index.ts runs from the project root), with its classes and its state.
let edge: Promise<typeof Edge> | undefined;

function load(): Promise<typeof Edge> {
  const file = pathToFileURL(path.join(process.cwd(), "server", "edge.ts")).href;
  edge ??= import(/* turbopackIgnore: true */ /* webpackIgnore: true */ file) as Promise<typeof Edge>;
  return edge;
}

type Segments = { params: Promise<Record<string, string>> };

/** A route handler: `export const GET = route((c) => c.json(c.app.cluster()))`. */
export function route(fn: Edge.RouteFn, opts?: Edge.RouteOptions) {
  return async (req: Request, segments?: Segments): Promise<Response> => (await load()).handle(req, segments?.params, fn, opts);
}
