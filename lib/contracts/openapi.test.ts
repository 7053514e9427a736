import fs from "node:fs";
import path from "node:path";
import specs from "@asyncapi/specs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { asyncApiDocument } from "./asyncapi";
import { openApiDocument, openApiPath } from "./openapi";
import { routeList } from "./routes";
import { serverToClient } from "./socket";

// The API documents are generated from the contracts: valid OpenAPI 3.1 and AsyncAPI 3.0, every
// $ref resolves, and they list exactly the routes and events there are: the route table's, and
// the route handlers' on disk (a handler missing from the table fails here).

const doc = openApiDocument({ version: "test", server: "http://127.0.0.1:3000" }) as { paths: Record<string, Record<string, { responses: object }>> };
const asyncDoc = asyncApiDocument({ version: "test" }) as { components: { messages: Record<string, { payload: unknown }> } };

/** Every "$ref" in a document that does not point at something in it. */
function danglingRefs(root: unknown): string[] {
  const out: string[] = [];
  const resolve = (ref: string) =>
    ref
      .slice(2)
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), root);
  const walk = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string" && (!x.startsWith("#/") || resolve(x) === undefined)) out.push(x);
      else walk(x);
    }
  };
  walk(root);
  return out;
}

/** "METHOD /api/path/:param" for every exported handler under app/api (the 404 catch-all aside). */
function handlersOnDisk(): string[] {
  const root = path.resolve(import.meta.dirname, "../../app/api");
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith("route.ts") && !f.includes("[..."));
  return files.flatMap((file) => {
    const src = fs.readFileSync(path.join(root, file), "utf8");
    const route = `/api/${path.dirname(file)}`.replace(/\[(\w+)\]/g, ":$1").replace(/\/\.$/, "");
    const methods = new Set<string>();
    for (const m of src.matchAll(/export (?:const|async function|function) (GET|POST|PUT|DELETE|PATCH)\b/g)) methods.add(m[1]!);
    for (const m of src.matchAll(/\bas (GET|POST|PUT|DELETE|PATCH)\b/g)) methods.add(m[1]!);
    return [...methods].map((m) => `${m} ${route}`);
  });
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1, and every $ref resolves", async () => {
    const v = new Validator();
    const res = await v.validate(structuredClone(doc) as Record<string, unknown>);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toBe("3.1");
    expect(danglingRefs(doc)).toEqual([]);
  });

  it("has every route of the table with every status, and no other", () => {
    const listed = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(listed.sort()).toEqual(routeList.map((r) => `${r.method} ${openApiPath(r.path)}`).sort());
    for (const r of routeList) {
      const op = doc.paths[openApiPath(r.path)]![r.method.toLowerCase()]!;
      expect(Object.keys(op.responses).map(Number).sort(), `${r.method} ${r.path}`).toEqual(Object.keys(r.replies).map(Number).sort());
    }
  });

  it("the route table has exactly the route handlers on disk", () => {
    expect(handlersOnDisk().sort()).toEqual(routeList.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("says what matters to a client: auth, limits, defaults, what an error status means", () => {
    const text = JSON.stringify(doc);
    for (const claim of ["bearer", "default 200, at most 10,000", "65536 bytes", "the sender or the receiver is known but not up", "no run is running", "keyed by the sender"]) {
      expect(text, claim).toContain(claim);
    }
    const health = doc.paths["/api/health"]!.get as unknown as { security: unknown[] };
    expect(health.security).toEqual([]);
  });
});

describe("the AsyncAPI document", () => {
  it("is valid AsyncAPI 3.0, every $ref resolves, and it has one message per socket event", () => {
    // The AsyncAPI schema bundles its own draft-07 meta-schema, so Ajv's built-in one stays out.
    const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false, logger: false });
    const validate = ajv.compile((specs as unknown as { schemas: Record<string, object> }).schemas["3.0.0"]!);
    const ok = validate(asyncDoc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(danglingRefs(asyncDoc)).toEqual([]);
    expect(Object.keys(asyncDoc.components.messages).sort()).toEqual(Object.keys(serverToClient).sort());
  });
});
