import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO } from "../../lib/contracts/http-replies";
import { openApiPath } from "../../lib/contracts/openapi";
import { findRoute } from "../../lib/contracts/route-match";
import { repoRoot, type ServerHandle, startServer, waitFor } from "./harness";
import { SocketRecorder } from "./socket-recorder";

// The served API documents against a real server: /api/openapi.json needs no token and is valid
// OpenAPI 3.1; a client generated from it (openapi-typescript types, openapi-fetch calls)
// typechecks and works; and what the server really sends (replies, socket events) validates
// against the documents' own JSON Schemas, not only against the zod schemas they come from.

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

describe("the served OpenAPI and AsyncAPI documents", () => {
  let s: ServerHandle;
  let rec: SocketRecorder;
  let doc: Doc;
  let clientDir = "";

  beforeAll(async () => {
    s = await startServer();
    rec = new SocketRecorder(s.url, s.token);
    await rec.connected();
    await waitFor("the bridge up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    await waitFor("2 nodes up", async () => {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up");
    });
  });

  afterAll(async () => {
    rec?.close();
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
    if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
  });

  it("GET /api/openapi.json answers without a token, valid OpenAPI 3.1 naming this server", async () => {
    const r = await s.api<Doc & { servers: { url: string }[] }>("GET", "/api/openapi.json", undefined, null);
    expect(r.status).toBe(200);
    doc = r.body;
    const res = await new Validator().validate(structuredClone(doc) as Record<string, unknown>);
    expect(res.errors ?? []).toEqual([]);
    expect(r.body.servers[0]!.url).toBe(s.url);
    const a = await s.api<{ asyncapi: string; servers: { dashboard: { host: string } } }>("GET", "/api/asyncapi.json", undefined, null);
    expect(a.body.servers.dashboard.host).toBe(new URL(s.url).host);
  });

  it("a client generated from it typechecks, refuses wrong calls, and works against the server", async () => {
    const t0 = Date.now();
    clientDir = fs.mkdtempSync(path.join(repoRoot, ".data-it-client-"));
    fs.writeFileSync(path.join(clientDir, "swarmscope-api.d.ts"), astToString(await openapiTS(new URL(`${s.url}/api/openapi.json`))));
    fs.copyFileSync(path.join(import.meta.dirname, "fixtures/typed-client.ts.txt"), path.join(clientDir, "typed-client.ts"));
    const tsc = path.join(repoRoot, "node_modules/.bin/tsc");
    const args = ["--noEmit", "--strict", "--noUncheckedIndexedAccess", "--skipLibCheck", "--target", "es2022", "--module", "esnext"];
    const checked = await promisify(execFile)(tsc, [...args, "--moduleResolution", "bundler", "--types", "node", "typed-client.ts"], { cwd: clientDir }).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout, failed: true }),
    );
    expect(checked.stdout).toBe("");
    console.log(`[measure] generate types + typecheck the client: ${Date.now() - t0} ms`);

    const { tour } = (await import(path.join(clientDir, "typed-client.ts"))) as { tour: (url: string, token: string) => Promise<Record<string, unknown>> };
    const got = await tour(s.url, s.token);
    expect(got).toMatchObject({ health: "ok", strangers: [], unknownStatus: 404, recent: expect.any(Number) });
    expect(got.names).toHaveLength(2);
    expect(got.ids).toHaveLength(1);
    expect(got.error).toMatch(/unknown receiver/);
    expect(got.perNode).toBeGreaterThanOrEqual(1);
  });

  it("replies validate against the document's own schemas, socket events against the AsyncAPI payloads", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: "openapi.json" } as object);
    const calls: [string, string][] = [["GET", "/api/cluster"], ["GET", "/api/stats"], ["GET", "/api/messages?limit=20"], ["GET", "/api/events?limit=20"], ["GET", "/api/traffic"], ["GET", "/api/health"], ["GET", "/api/runtime"], ["DELETE", "/api/traffic"], ["POST", "/api/nodes/nobody/kill"]];
    for (const [method, url] of calls) {
      const r = await s.api(method, url);
      const route = findRoute(method, new URL(url, s.url).pathname)!.route;
      const at = `openapi.json#/paths/${openApiPath(route.path).replaceAll("/", "~1")}/${method.toLowerCase()}/responses/${r.status}/content/application~1json/schema`;
      const ok = ajv.validate({ $ref: at }, r.body);
      expect(ok, `${method} ${url} → ${r.status}: ${ajv.errorsText()}`).toBe(true);
    }
    const asyncDoc = (await s.api<{ components: { messages: Record<string, { payload: object }> } }>("GET", "/api/asyncapi.json")).body;
    const events = new Ajv2020({ strict: false, allErrors: true });
    events.addSchema({ ...asyncDoc, $id: "asyncapi.json" } as object);
    await waitFor("every kind of event but traffic seen", () => ["cluster", "messages", "stats", "event"].every((n) => rec.count(n) > 0));
    for (const e of rec.events) {
      const ok = events.validate({ $ref: `asyncapi.json#/components/messages/${e.name}/payload` }, e.payload);
      expect(ok, `socket "${e.name}": ${events.errorsText()}`).toBe(true);
    }
    console.log(`[measure] ${calls.length} replies and ${rec.events.length} socket events checked against the documents`);
  });
});
