import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "./harness";

// What the dashboard says when the Swarm runtime cannot deploy, through the real server and its
// API. Needs no Docker: a missing socket, and a stand-in Docker API on a unix socket whose engine
// is not in swarm mode until POST /swarm/init (the dashboard's "Initialise Docker Swarm").

/** A Docker API stand-in: _ping, info (swarm state), swarm/init; anything else is a 404. */
async function fakeEngine(sock: string) {
  let state = "inactive";
  const calls: string[] = [];
  fs.rmSync(sock, { force: true });
  const srv = http.createServer((req, res) => {
    const url = (req.url ?? "").replace(/^\/v[\d.]+/, "");
    calls.push(`${req.method} ${url.split("?")[0]}`);
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.startsWith("/_ping")) return reply(200, "OK");
    if (url.startsWith("/info")) return reply(200, { Swarm: { LocalNodeState: state, ControlAvailable: state === "active" } });
    if (url.startsWith("/swarm/init") && req.method === "POST") {
      state = "active";
      return reply(200, "fake-node-id");
    }
    return reply(404, { message: `the fake engine has no ${url}` });
  });
  await new Promise<void>((resolve) => srv.listen(sock, resolve));
  return {
    calls,
    close: () => {
      srv.closeAllConnections();
      srv.close();
    },
  };
}

describe("Swarm runtime status through the API, with no usable engine", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-engine-"));
  let s: ServerHandle | null = null;
  const cluster = async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body;

  afterEach(async () => {
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
    s = null;
  });
  beforeAll(() => fs.mkdirSync(dir, { recursive: true }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("no Docker engine: says exactly that, and a deploy gets a 409 saying it", async () => {
    const sock = path.join(dir, "none.sock");
    s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: "ssnone", DOCKER_HOST: `unix://${sock}` } });
    const c = await waitFor("the runtime status", async () => {
      const c = await cluster();
      return c.runtimeStatus.ready === false ? c : undefined;
    });
    expect(c.runtime).toBe("swarm");
    expect(c.runtimeStatus.problem).toMatch(/^Docker engine unreachable since \d\d:\d\d:\d\d UTC: /);
    expect(c.runtimeStatus.problem).toContain(`no Docker engine at ${sock}: start dockerd (scripts/start-docker.sh does it) or set DOCKER_HOST`);
    expect(c.runtimeStatus.since).toBeGreaterThan(Date.now() - 60_000);
    expect(c.runtimeStatus.canInit).toBeFalsy();
    expect(c.bridge.status).toBe("down");
    const r = await s.api("PUT", "/api/cluster", { replicas: 3 });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe(c.runtimeStatus.problem);
    const init = await s.api("POST", "/api/runtime", { init: true });
    expect(init.status).toBe(409);
    expect((await s.api("GET", "/api/health")).body).toMatchObject({ status: "ok", runtime: "swarm" });
  });

  it("an engine not in swarm mode: says so, offers init, and POST /api/runtime {init} runs docker swarm init", async () => {
    const sock = path.join(dir, "fake.sock");
    const engine = await fakeEngine(sock);
    try {
      s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: "ssfake", DOCKER_HOST: `unix://${sock}` } });
      const c = await waitFor("the runtime status", async () => {
        const c = await cluster();
        return c.runtimeStatus.ready === false ? c : undefined;
      });
      expect(c.runtimeStatus).toEqual({
        ready: false,
        problem: "the Docker engine is not in swarm mode (state: inactive); initialise it with `docker swarm init`",
        canInit: true,
      });
      expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(409);
      const r = await s.api("POST", "/api/runtime", { init: true });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ runtime: "swarm", status: { ready: true } });
      expect(engine.calls).toContain("POST /swarm/init");
      await waitFor("the cluster to say ready", async () => (await cluster()).runtimeStatus.ready === true);
    } finally {
      await s?.stop();
      engine.close();
    }
  });
});
