import { describe, expect, it } from "vitest";
import type { ClusterDTO } from "./http-replies";
import { buildPath, checkReply, findRoute, matchPath } from "./route-match";
import { routeList, routes } from "./routes";

const cluster: ClusterDTO = {
  runtime: "local",
  deploymentId: "ab12cd",
  desiredReplicas: 1,
  strangers: [],
  nodes: [
    {
      name: "n1-ab12cd@127.0.0.1", status: "up", host: "127.0.0.1", slot: 1, links: [], sent: 0, received: 0,
      replica: { id: "n1", slot: 1, state: "running", host: "127.0.0.1", pid: 42, restarts: 0 }, flags: [], since: 1,
    },
  ],
  bridge: { status: "up", node: "bridge-ab12cd@127.0.0.1" },
  progress: null,
  runtimeStatus: { ready: true },
  hosts: [],
};

const json = "application/json; charset=utf-8";

describe("route table lookup", () => {
  it("matches path patterns, decoding parameters", () => {
    expect(matchPath("/api/nodes/:name/kill", "/api/nodes/n1-x%40127.0.0.1/kill")).toEqual({ name: "n1-x@127.0.0.1" });
    expect(matchPath("/api/cluster", "/api/cluster/")).toEqual({});
    expect(matchPath("/api/messages/:id", "/api/messages")).toBeNull();
    expect(matchPath("/api/messages/:id", "/api/messages/a/b")).toBeNull();
    expect(matchPath("/api/nodes/:name/kill", "/api/nodes//kill")).toBeNull();
  });

  it("finds the route by method and path", () => {
    expect(findRoute("GET", "/api/messages/m1")).toMatchObject({ route: routes.getMessage, params: { id: "m1" } });
    expect(findRoute("post", "/api/messages")?.route).toBe(routes.sendMessage);
    expect(findRoute("PATCH", "/api/messages")).toBeUndefined();
    expect(findRoute("GET", "/api/nope")).toBeUndefined();
  });

  it("builds paths with encoded parameters and the defined query values", () => {
    expect(buildPath(routes.killNode, { name: "n1@h/x" })).toBe("/api/nodes/n1%40h%2Fx/kill");
    expect(buildPath(routes.listMessages, {}, { limit: 200, after: undefined })).toBe("/api/messages?limit=200");
    expect(() => buildPath(routes.inbox)).toThrow(/missing path parameter name/);
  });

  it("has one route per method and path, each listing its success and error statuses", () => {
    const keys = routeList.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of routeList) {
      expect(r.replies[r.status]).toBe(r.reply);
      expect(r.replies[500]).toBeDefined();
      expect(r.replies[503]).toBeDefined();
      expect(r.replies[401] !== undefined, `${r.path} 401`).toBe(r.auth);
      if (r.body) expect(Object.keys(r.replies)).toEqual(expect.arrayContaining(["400", "413"]));
    }
    expect(routes.health.auth).toBe(false);
  });
});

describe("reply checks", () => {
  const reply = (over: Partial<Parameters<typeof checkReply>[0]>) => checkReply({ method: "GET", url: "/api/cluster", status: 200, contentType: json, body: cluster, ...over });

  it("accepts a reply that keeps the contract, query string or full URL alike", () => {
    expect(reply({})).toEqual({ ok: true });
    expect(reply({ url: "http://127.0.0.1:3000/api/cluster?x=1" })).toEqual({ ok: true });
  });

  it("names the field that drifted", () => {
    const bad = { ...cluster, nodes: [{ ...cluster.nodes[0]!, status: "gone" }] };
    const v = reply({ body: bad });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem).toMatch(/GET \/api\/cluster → 200: the reply does not match the contract[\s\S]*nodes\[0\]\.status/);
  });

  it("rejects fields the contract does not describe", () => {
    const v = reply({ body: { ...cluster, extra: 1 } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem).toMatch(/extra/);
  });

  it("checks error replies against {error} and refuses unlisted statuses", () => {
    expect(reply({ status: 401, body: { error: "missing access token" } })).toEqual({ ok: true });
    expect(reply({ status: 403, body: { message: "no" } }).ok).toBe(false);
    const v = reply({ status: 418, body: { error: "teapot" } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem).toMatch(/status not in the contract of GET \/api\/cluster/);
    expect(checkReply({ method: "GET", url: "/api/health", status: 401, contentType: json, body: { error: "x" } }).ok).toBe(false);
  });

  it("knows the catch-all 404 and Next.js's 405", () => {
    expect(reply({ url: "/api/nope", status: 404, body: { error: "no API route GET /api/nope" } })).toEqual({ ok: true });
    expect(reply({ url: "/api/nope", status: 200, body: {} }).ok).toBe(false);
    expect(reply({ method: "PATCH", status: 405, contentType: null, body: "" })).toEqual({ ok: true });
    expect(reply({ method: "PATCH", status: 404, body: { error: "x" } }).ok).toBe(false);
  });

  it("accepts the export's text formats only where the route lists them", () => {
    const exp = { url: "/api/export?format=csv", status: 200, body: "id,from\r\n" };
    expect(reply({ ...exp, contentType: "text/csv; charset=utf-8; header=present" })).toEqual({ ok: true });
    expect(reply({ ...exp, contentType: "text/markdown; charset=utf-8" })).toEqual({ ok: true });
    expect(reply({ ...exp, contentType: "text/html" }).ok).toBe(false);
    expect(reply({ contentType: "text/csv", body: "x" }).ok).toBe(false);
  });
});
