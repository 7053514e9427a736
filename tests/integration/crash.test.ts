import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO } from "../../lib/contracts/http-replies";
import { pidsRunning } from "../../server/runtime/local-proc";
import { type ServerHandle, short, startServer, waitFor } from "./harness";

// Swarmscope's own parts crash; the local cluster does not go with them. Real server processes,
// real erl replicas and bridge, real signals.

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a crash of the server or the bridge leaves the local cluster running", () => {
  let s: ServerHandle;
  let dataDir = "";
  let deployment = "";
  const stopped: number[] = []; // bridges this test froze: never left stopped
  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const allUp = (n: number) => async () => {
    const c = await cluster();
    return c.bridge.status === "up" && c.nodes.length === n && c.nodes.every((x) => x.status === "up") ? c : undefined;
  };
  const bridgePids = () => pidsRunning((name) => name === `bridge-${deployment}@127.0.0.1`);
  const pidsOf = (c: ClusterDTO) => Object.fromEntries(c.nodes.map((n) => [short(n.name), n.replica!.pid!]));
  const acked = async (from: string, to: string, content: string) => {
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from, to, content });
    expect(r.status).toBe(202);
    const id = r.body.ids[0]!;
    return waitFor(`"${content}" acked`, async () => {
      const m = (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
      return m.status === "acked" ? m : undefined;
    });
  };

  afterAll(async () => {
    for (const pid of stopped) if (alive(pid)) process.kill(pid, "SIGKILL");
    await s?.stop();
    // Never leave replicas behind on a shared machine, whatever failed above.
    if (deployment) for (const pid of pidsRunning((name) => name.endsWith(`-${deployment}@127.0.0.1`))) process.kill(pid, "SIGKILL");
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("server SIGKILL: a new server on the same data folder and port reattaches the same processes", async () => {
    s = await startServer();
    dataDir = s.dataDir;
    const port = Number(new URL(s.url).port);
    await waitFor("bridge up", async () => (await cluster()).bridge.status === "up");
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    const before = await waitFor("3 up", allUp(3));
    deployment = before.deploymentId;
    const pids = pidsOf(before);
    const restarts = before.nodes.map((n) => n.replica!.restarts);
    const list = JSON.parse(fs.readFileSync(path.join(dataDir, "local-replicas.json"), "utf8"));
    expect(list.replicas.map((e: { pid: number }) => e.pid).sort()).toEqual(Object.values(pids).sort());

    s.proc.kill("SIGKILL");
    await waitFor("the server gone", () => s.proc.exitCode !== null || s.proc.signalCode !== null);
    await new Promise((r) => setTimeout(r, 500));
    for (const pid of Object.values(pids)) expect(alive(pid), `replica pid ${pid} outlives the server`).toBe(true);

    const t0 = Date.now();
    s = await startServer({ dataDir, port });
    expect(new URL(s.url).port).toBe(String(port));
    const after = await waitFor("the same 3 up again", allUp(3));
    console.log(`[measure] server SIGKILL → new server up → 3 reattached nodes up: ${Date.now() - t0} ms`);
    expect(pidsOf(after)).toEqual(pids);
    expect(after.nodes.map((n) => n.replica!.restarts)).toEqual(restarts);
    expect(after.desiredReplicas).toBe(3);
    const [n1, n2, n3] = after.nodes.map((n) => n.name).sort() as [string, string, string];
    await acked(n1, n2, "after the server crash");
    await acked(n3, n1, "and back");
    // A reattached replica is still under the restart policy.
    expect((await s.api("POST", `/api/nodes/${encodeURIComponent(n2)}/kill`)).status).toBe(202);
    const back = await waitFor("n2 restarted with a new pid", async () => {
      const n = (await cluster()).nodes.find((x) => x.name === n2);
      // A pid of its own: between the kill and the restart the replica has none, while the node
      // may still show up for the few ms until the bridge's nodedown.
      const pid = n?.replica?.pid;
      return n?.status === "up" && pid !== undefined && pid !== pids.n2 ? n : undefined;
    });
    expect(back.replica!.restarts).toBe(1);
    await waitFor("n2 linked again", async () => (await cluster()).nodes.find((x) => x.name === n2)!.links.length === 2);
  });

  it("bridge SIGKILL: restarted, the nodes come back up, messages flow", async () => {
    const [old] = bridgePids();
    expect(old).toBeGreaterThan(0);
    const before = pidsOf((await allUp(3)())!);
    const t0 = Date.now();
    process.kill(old!, "SIGKILL");
    await waitFor("bridge seen down", async () => (await cluster()).bridge.status !== "up", 10_000, 20);
    const c = await waitFor("a new bridge, 3 nodes up", allUp(3));
    console.log(`[measure] bridge SIGKILL → new bridge and 3 nodes up: ${Date.now() - t0} ms`);
    expect(bridgePids()).not.toContain(old);
    expect(pidsOf(c)).toEqual(before); // the replicas themselves were never touched
    const [a, b] = c.nodes.map((n) => n.name).sort() as [string, string];
    await acked(a, b, "after the bridge crash");
  });

  it("bridge hung (SIGSTOP): detected within the ping timeout, killed and replaced", async () => {
    const [old] = bridgePids();
    stopped.push(old!);
    const t0 = Date.now();
    process.kill(old!, "SIGSTOP");
    const down = await waitFor("the hung bridge seen", async () => {
      const b = (await cluster()).bridge;
      return b.status !== "up" ? b : undefined;
    }, 15_000, 50);
    const detected = Date.now() - t0;
    console.log(`[measure] bridge SIGSTOP → detected hung and killed: ${detected} ms (ping timeout 3 s)`);
    expect(down.error).toMatch(/^bridge hung: nothing heard from it for \d+\.\d s \(pings unanswered\); killed$/);
    await waitFor("the frozen bridge process killed", () => !alive(old!), 5_000, 50);
    const c = await waitFor("a new bridge, 3 nodes up", allUp(3));
    console.log(`[measure] bridge SIGSTOP → new bridge and 3 nodes up: ${Date.now() - t0} ms`);
    expect(bridgePids()).not.toContain(old);
    const [a, b] = c.nodes.map((n) => n.name).sort() as [string, string];
    await acked(b, a, "after the bridge hung");
  });

  it("a graceful stop (SIGTERM) stops the replicas and empties the list", async () => {
    const pids = Object.values(pidsOf((await allUp(3)())!));
    await s.stop();
    await waitFor("every replica stopped", () => pids.every((p) => !alive(p)), 10_000, 50);
    const list = JSON.parse(fs.readFileSync(path.join(dataDir, "local-replicas.json"), "utf8"));
    expect(list).toMatchObject({ desired: 0, replicas: [] });
    expect(pidsRunning((name) => name.endsWith(`-${deployment}@127.0.0.1`))).toEqual([]);
  });
});
