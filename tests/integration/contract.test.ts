import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, StatsDTO, TrafficState } from "../../lib/contracts/http-replies";
import { routeList } from "../../lib/contracts/routes";
import { serverToClient } from "../../lib/contracts/socket";
import { type ServerHandle, startServer, waitFor } from "./harness";
import { SocketRecorder } from "./socket-recorder";

// The contract test: every reply api() gets is checked against lib/contracts by the harness, in
// every integration test. Here a dashboard-like socket client records every event during a
// deploy, a send, a broadcast, traffic, a kill and a removal, and each event must validate too;
// and every route of the table is called at least once.
describe("contract: socket events and API replies", () => {
  let s: ServerHandle;
  let rec: SocketRecorder;
  let nodes: string[] = [];

  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const allUp = (n: number) => async () => {
    const c = await cluster();
    return c.nodes.length === n && c.nodes.every((x) => x.status === "up") ? c : undefined;
  };

  beforeAll(async () => {
    s = await startServer();
    rec = new SocketRecorder(s.url, s.token);
    await rec.connected();
    await waitFor("the bridge to be up", async () => (await cluster()).bridge.status === "up");
  });

  afterAll(async () => {
    rec?.close();
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("deploy, send, broadcast, traffic, kill: replies and events keep the contract", async () => {
    const t0 = Date.now();
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    nodes = (await waitFor("3 nodes up", allUp(3))).nodes.map((n) => n.name).sort();
    const [a, b] = nodes as [string, string];

    const one = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "contract" });
    const all = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: b, to: "*", content: "contract *" });
    expect(all.body.ids).toHaveLength(2);
    const started = await s.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "ring", rounds: 20 });
    expect(started.status).toBe(202);
    await waitFor("traffic done, nothing in flight", async () => {
      const t = (await s.api<{ traffic: TrafficState | null }>("GET", "/api/traffic")).body.traffic;
      const st = (await s.api<StatsDTO>("GET", "/api/stats")).body;
      return t?.done === t?.generators && st.inFlight === 0 && st.acked === st.sent;
    });
    expect((await s.api("DELETE", "/api/traffic")).status).toBe(404); // nothing running any more
    expect((await s.api("POST", "/api/traffic", { pattern: "storm", rate: 100, durationS: 60 })).status).toBe(202);
    expect((await s.api("DELETE", "/api/traffic")).status).toBe(200);
    expect((await s.api("GET", `/api/messages/${one.body.ids[0]}`)).body.latencyKind).toBe("one-way");
    expect((await s.api("GET", `/api/nodes/${encodeURIComponent(b)}/inbox`)).status).toBe(200);
    // Hosts are Swarm's (tests/hosts): the local runtime has none, and says so.
    expect((await s.api("GET", "/api/hosts")).body).toEqual({ hosts: [] });
    expect((await s.api("PUT", "/api/hosts/h1", { availability: "drain" })).status).toBe(404);
    expect((await s.api("POST", "/api/hosts/h1/partition")).status).toBe(404);
    expect((await s.api("DELETE", "/api/hosts/h1/partition")).status).toBe(404);
    // Freeze and thaw are faults (GET /api/faults lists them), on local too (SIGSTOP / SIGCONT).
    expect((await s.api("POST", `/api/nodes/${encodeURIComponent(b)}/thaw`)).status).toBe(409);
    expect((await s.api("POST", `/api/nodes/${encodeURIComponent(b)}/freeze`)).status).toBe(200);
    expect((await s.api("POST", `/api/nodes/${encodeURIComponent(b)}/freeze`)).status).toBe(409);
    expect((await s.api("POST", `/api/nodes/${encodeURIComponent(b)}/thaw`)).status).toBe(200);
    const fault = await s.api<{ fault: { id: string } }>("POST", "/api/faults", { kind: "delay", nodes: [b], delayMs: 5 });
    expect(fault.status).toBe(201);
    expect((await s.api("GET", "/api/faults")).status).toBe(200);
    expect((await s.api("DELETE", `/api/faults/${fault.body.fault.id}`)).status).toBe(200);
    expect((await s.api("DELETE", "/api/faults")).status).toBe(200);
    expect((await s.api("POST", "/api/faults", { kind: "loss", nodes: [b], lossPct: 101 })).status).toBe(400);
    expect((await s.api("GET", "/api/scenarios")).status).toBe(200);
    const run = await s.api<{ run: { id: string } }>("POST", "/api/scenarios/hello-swarm/run");
    expect(run.status).toBe(202);
    expect((await s.api("POST", "/api/scenarios/nope/run")).status).toBe(404);
    await waitFor("hello-swarm passed", async () => (await s.api<{ run: { status: string } }>("GET", `/api/scenarios/runs/${run.body.run.id}`)).body.run.status !== "running");
    expect((await s.api<{ run: { status: string } }>("GET", `/api/scenarios/runs/${run.body.run.id}`)).body.run.status).toBe("passed");
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202); // hello-swarm deployed 5
    await waitFor("3 nodes again", allUp(3));

    expect((await s.api("POST", `/api/nodes/${encodeURIComponent(a)}/kill`)).status).toBe(202);
    await waitFor("the killed node down", async () => (await cluster()).nodes.some((n) => n.status === "down"));
    await waitFor("3 nodes up again", allUp(3));
    console.log(`[measure] contract run: ${rec.events.length} socket events in ${Date.now() - t0} ms`);
  });

  it("reads every history and export format", async () => {
    for (const p of ["/api/messages?limit=50", "/api/events?limit=50", "/api/series?points=60", "/api/replay", "/api/runtime", "/api/health", "/api/openapi.json", "/api/asyncapi.json"]) {
      expect((await s.api("GET", p)).status, p).toBe(200);
    }
    for (const format of ["json", "csv", "report"]) expect((await s.api("GET", `/api/export?format=${format}`)).status).toBe(200);
    for (const format of ["json", "csv"]) expect((await s.api("GET", `/api/export?format=${format}&expand=1`)).status).toBe(200);
    expect((await s.api("GET", "/api/export?expand=yes")).status).toBe(400);
    // A bulk message of the ring run, by its id in the runs.
    expect((await s.api("GET", "/api/messages/p1.1")).body).toMatchObject({ id: "p1.1", status: "acked" });
    expect((await s.api("POST", "/api/runtime", {})).status).toBe(200);
    expect((await s.api("PUT", "/api/cluster", { replicas: 0 })).status).toBe(202);
    await waitFor("all removed", async () => (await cluster()).nodes.length === 0);
  });

  it("every socket event validated against its schema", async () => {
    await waitFor("a stats push after the removal", () => rec.events.some((e) => e.name === "stats" && (e.payload as StatsDTO).at > Date.now() - 400));
    const counts = Object.fromEntries(Object.keys(serverToClient).map((n) => [n, rec.count(n)]));
    console.log(`[measure] socket events recorded: ${JSON.stringify(counts)}`);
    for (const [name, n] of Object.entries(counts)) expect(n, `"${name}" events seen`).toBeGreaterThan(0);
    expect(rec.violations()).toEqual([]);
  });

  it("called every route of the contract table, each reply checked", () => {
    const called = new Set(s.checked.map((c) => `${c.method} ${c.route}`));
    const missing = routeList.map((r) => `${r.method} ${r.path}`).filter((r) => !called.has(r));
    expect(missing).toEqual([]);
  });
});
