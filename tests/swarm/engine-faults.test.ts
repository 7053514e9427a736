// Swarmscope's own faults on Swarm: the Docker engine unreachable and back (the dashboard's only
// way to the engine, its socket, cut through a proxy: events stream, API calls and the bridge's
// attach all go with it), and the dashboard itself SIGKILLed and started again. The real engine
// keeps running throughout (restarting it would end every other test on this machine).
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, ClusterEventDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "../integration/harness";
import { docker, ensureErlangBuilt, randomId, removeStackLeftovers, swarmGate } from "./helpers";

const { probe, skip } = await swarmGate();
const ENGINE = "/var/run/docker.sock";

/** A unix socket in front of the engine's: cut() drops every connection and stops answering. */
class SocketProxy {
  readonly path = path.join(os.tmpdir(), `ss-engine-proxy-${process.pid}-${Date.now()}.sock`);
  private server: net.Server | null = null;
  private readonly open = new Set<net.Socket>();

  async listen(): Promise<void> {
    fs.rmSync(this.path, { force: true });
    this.server = net.createServer((client) => {
      const engine = net.connect(ENGINE);
      for (const s of [client, engine]) {
        this.open.add(s);
        s.on("close", () => this.open.delete(s));
        s.on("error", () => {});
      }
      client.pipe(engine).pipe(client);
      client.on("close", () => engine.destroy());
      engine.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }

  async cut(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const c of this.open) c.destroy();
    await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
    fs.rmSync(this.path, { force: true });
  }
}

const meshOf = async (s: ServerHandle, n: number) => {
  const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  if (c.nodes.length !== n || c.nodes.some((x) => x.status !== "up" || x.links.length !== n - 1)) return undefined;
  return c;
};

function measure(what: string, ms: number): void {
  console.log(`[measure] swarm engine faults: ${what}: ${ms} ms`);
}

describe.skipIf(skip)("the Docker engine unreachable, then back", () => {
  const stack = randomId("sseng");
  const proxy = new SocketProxy();
  let s: ServerHandle;
  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    await proxy.listen();
    s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack, DOCKER_HOST: `unix://${proxy.path}` } });
    await waitFor("the bridge up", async () => (await cluster()).bridge.status === "up", 300_000, 250);
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    await waitFor("2 up and meshed", () => meshOf(s, 2), 120_000);
  });

  afterAll(async () => {
    if (!probe.ok) return;
    await proxy.listen().catch(() => {});
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
    await proxy.cut();
    await removeStackLeftovers(stack, [`${stack}_cookie`]);
  });

  it("says since when the engine is unreachable, then re-lists what changed meanwhile and rejoins the nodes", async () => {
    const t0 = Date.now();
    await proxy.cut();
    const down = await waitFor("the runtime status to say the engine is unreachable", async () => {
      const c = await cluster();
      return c.runtimeStatus.ready ? undefined : c;
    }, 15_000, 100);
    measure("engine socket cut → 'unreachable since' in the API", Date.now() - t0);
    expect(down.runtimeStatus.problem).toMatch(/^Docker engine unreachable since \d\d:\d\d:\d\d UTC: /);
    expect(down.runtimeStatus.since).toBeGreaterThanOrEqual(t0 - 1000);
    // The bridge's attach went with the socket: the nodes are not known to be up any more.
    await waitFor("the bridge down", async () => (await cluster()).bridge.status !== "up", 15_000, 100);
    // Meanwhile, behind the dashboard's back (the engine itself is fine): a scale it cannot see.
    docker(["service", "scale", "--detach", `${stack}_node=3`]);
    await new Promise((r) => setTimeout(r, 2000));
    const t1 = Date.now();
    await proxy.listen();
    await waitFor("ready again", async () => (await cluster()).runtimeStatus.ready, 15_000, 100);
    measure("engine back → ready in the API", Date.now() - t1);
    const c = await waitFor("3 up and meshed (the scale made meanwhile found by a re-list)", () => meshOf(s, 3), 90_000, 100);
    measure("engine back → the bridge back and 3 nodes up and meshed", Date.now() - t1);
    expect(c.desiredReplicas).toBe(3);
    expect(c.runtimeStatus).toEqual({ ready: true });
    const events = (await s.api<{ events: ClusterEventDTO[] }>("GET", "/api/events?limit=500")).body.events;
    expect(events.some((e) => e.kind === "runtime" && /Docker engine unreachable since/.test(e.text))).toBe(true);
    expect(events.some((e) => e.kind === "runtime" && /swarm runtime ready/.test(e.text))).toBe(true);
  });
});

describe.skipIf(skip)("the dashboard SIGKILLed and started again", () => {
  const stack = randomId("ssrst");
  let s: ServerHandle | null = null;
  let dataDir = "";

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack } });
    dataDir = s.dataDir;
    await waitFor("the bridge up", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 300_000, 250);
  });

  afterAll(async () => {
    if (!probe.ok) return;
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await removeStackLeftovers(stack, [`${stack}_cookie`]);
  });

  it("the stack keeps running; the new dashboard replaces the old bridge, rejoins the same tasks, history intact", async () => {
    expect((await s!.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    const before = await waitFor("3 up and meshed", () => meshOf(s!, 3), 120_000);
    const [a, b] = before.nodes.map((n) => n.name) as [string, string];
    const sent = await s!.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "before the crash" });
    await waitFor("acked", async () => (await s!.api("GET", `/api/messages/${sent.body.ids[0]}`)).body.status === "acked", 15_000);
    // Written to SQLite before the kill (reading the messages flushes the write queue; the rows of
    // the last 200 ms before a SIGKILL are the store's concern, tests/integration).
    await s!.api("GET", "/api/messages?limit=10");
    const stats = (await s!.api<StatsDTO>("GET", "/api/stats")).body;
    const tasks = before.nodes.map((n) => `${n.replica!.taskId}/${n.replica!.containerId}`).sort();
    const oldBridge = docker(["ps", "-aq", "--no-trunc", "--filter", `name=^${stack}_bridge-`]);
    s!.proc.kill("SIGKILL");
    await new Promise<void>((r) => s!.proc.once("exit", () => r()));
    const t0 = Date.now();
    s = await startServer({ dataDir, env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack } });
    const after = await waitFor("the same 3 nodes up and meshed", () => meshOf(s!, 3), 120_000, 100);
    measure("dashboard SIGKILL, restart → the same 3 nodes up and meshed", Date.now() - t0);
    expect(after.nodes.map((n) => `${n.replica!.taskId}/${n.replica!.containerId}`).sort()).toEqual(tasks);
    expect(after.desiredReplicas).toBe(3);
    const newBridge = docker(["ps", "-q", "--no-trunc", "--filter", `name=^${stack}_bridge-`]);
    expect(newBridge).toMatch(/^[0-9a-f]{64}$/);
    expect(newBridge).not.toBe(oldBridge); // the dead dashboard's bridge removed, a new one attached
    expect((await s!.api("GET", `/api/messages/${sent.body.ids[0]}`)).body).toMatchObject({ status: "acked", content: "before the crash" });
    const again = (await s!.api<StatsDTO>("GET", "/api/stats")).body;
    expect(again).toMatchObject({ sent: stats.sent, received: stats.received, acked: stats.acked, lost: stats.lost });
    const m = await s!.api<{ ids: string[] }>("POST", "/api/messages", { from: b, to: a, content: "after the restart" });
    await waitFor("acked after the restart", async () => (await s!.api("GET", `/api/messages/${m.body.ids[0]}`)).body.status === "acked", 15_000);
  });
});
