import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO, NodeDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { replicaNice } from "../../server/runtime/local-args";
import { erlangEnv, type ServerHandle, percentile, short, startServer, waitFor } from "./harness";

const run = promisify(execFile);

// The whole product path on the local runtime: real erl replicas, the real bridge, the real
// server with its HTTP API. Nothing here is mocked.
describe("local runtime, end to end", () => {
  let s: ServerHandle;
  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const byShort = (c: ClusterDTO, n: string) => c.nodes.find((x) => short(x.name) === n);
  const allUp = async (n: number) => {
    const c = await cluster();
    return c.nodes.length === n && c.nodes.every((x) => x.status === "up") ? c : undefined;
  };

  beforeAll(async () => {
    s = await startServer();
    await waitFor("the bridge to be up", async () => (await cluster()).bridge.status === "up", 30_000);
  });
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("deploys 3 replicas that all come up, fully linked", async () => {
    const t0 = Date.now();
    const r = await s.api("PUT", "/api/cluster", { replicas: 3 });
    expect(r.status).toBe(202);
    const c = await waitFor("3 nodes up and fully meshed", async () => {
      const c = await allUp(3);
      return c && c.nodes.every((n) => n.links.length === 2) ? c : undefined;
    });
    console.log(`[measure] local deploy 3: all up and linked in ${Date.now() - t0} ms`);
    expect(c.desiredReplicas).toBe(3);
    expect(c.nodes.map((n) => short(n.name)).sort()).toEqual(["n1", "n2", "n3"]);
    for (const n of c.nodes) {
      expect(n.name).toMatch(new RegExp(`^n\\d-${c.deploymentId}@127\\.0\\.0\\.1$`));
      expect(n.replica?.pid).toBeGreaterThan(0);
      // The replicas yield the CPU to the dashboard as their number grows: their nice, and their session's autogroup.
      expect(replicaNice(3)).toBe(2);
      expect(os.getPriority(n.replica!.pid)).toBe(2);
      if (fs.existsSync("/proc/self/autogroup")) expect(fs.readFileSync(`/proc/${n.replica!.pid}/autogroup`, "utf8")).toContain("nice 2");
      expect(n.links.sort()).toEqual(c.nodes.filter((o) => o.name !== n.name).map((o) => o.name).sort());
    }
  });

  it("a message from n1 to n2 is received by n2 and acked back at n1", async () => {
    const c = await cluster();
    const n1 = byShort(c, "n1")!.name;
    const n2 = byShort(c, "n2")!.name;
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: n1, to: n2, content: "hello n2" });
    expect(r.status).toBe(202);
    expect(r.body.ids).toHaveLength(1);
    const id = r.body.ids[0]!;
    const m = await waitFor("the ack", async () => {
      const m = (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
      return m.status === "acked" ? m : undefined;
    });
    expect(m).toMatchObject({ from: n1, to: n2, content: "hello n2", status: "acked", reason: null, seed: false });
    expect(m.sentAt).not.toBeNull();
    expect(m.receivedAt!).toBeGreaterThanOrEqual(m.sentAt!);
    expect(m.ackedAt!).toBeGreaterThanOrEqual(m.receivedAt!);
    expect(m.latencyMs).toBeGreaterThanOrEqual(0);
    // The receiver itself has it: its inbox, asked with the seed protocol's {get, Pid}.
    const inbox = await s.api<{ messages: { from: string; content: string }[] }>("GET", `/api/nodes/${encodeURIComponent(n2)}/inbox`);
    expect(inbox.status).toBe(200);
    expect(inbox.body.messages).toContainEqual({ from: n1, content: "hello n2" });
  });

  it("a broadcast reaches every other node, and the counters add up", async () => {
    const c = await cluster();
    const n3 = byShort(c, "n3")!.name;
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: n3, to: "*", content: "to all" });
    expect(r.status).toBe(202);
    expect(r.body.ids).toHaveLength(2);
    const ms = await waitFor("both acks", async () => {
      const ms = await Promise.all(r.body.ids.map(async (id) => (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body));
      return ms.every((m) => m.status === "acked") ? ms : undefined;
    });
    expect(ms.map((m) => short(m.to)).sort()).toEqual(["n1", "n2"]);
    const st = (await s.api<StatsDTO>("GET", "/api/stats")).body;
    expect(st.sent).toBe(st.received + st.lost + st.inFlight);
    expect(st.acked).toBeGreaterThanOrEqual(3);
    for (const p of Object.values(st.perNode)) expect(p.sent).toBe(p.received + p.lost + p.inFlight);
  });

  it("measures send → received latency over 200 messages (printed, not asserted)", async () => {
    const c = await cluster();
    const n1 = byShort(c, "n1")!.name;
    const n2 = byShort(c, "n2")!.name;
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: n1, to: n2, content: `lat ${i}` });
      ids.push(...r.body.ids);
    }
    const lat = await waitFor("200 receptions", async () => {
      const ms = (await s.api<{ messages: MessageDTO[] }>("GET", "/api/messages?limit=400")).body.messages.filter((m) => ids.includes(m.id));
      return ms.length === 200 && ms.every((m) => m.status === "acked") ? ms.map((m) => m.latencyMs!) : undefined;
    });
    lat.sort((a, b) => a - b);
    console.log(`[measure] local send→received latency over 200 messages: p50 ${percentile(lat, 50).toFixed(3)} ms, p99 ${percentile(lat, 99).toFixed(3)} ms`);
    expect(lat.every((l) => l >= 0)).toBe(true);
  });

  it("a killed replica is seen down, restarted, and rediscovered", async () => {
    const c = await cluster();
    const n2 = byShort(c, "n2")!;
    const oldPid = n2.replica!.pid;
    const t0 = Date.now();
    const r = await s.api("POST", `/api/nodes/${encodeURIComponent(n2.name)}/kill`);
    expect(r.status).toBe(202);
    await waitFor("n2 down", async () => byShort(await cluster(), "n2")?.status === "down", 10_000, 20);
    const tDown = Date.now() - t0;
    // While its process is gone (restart pending), a second kill is a conflict, not a 500.
    await waitFor("n2's replica restarting", async () => byShort(await cluster(), "n2")?.replica?.state === "restarting", 10_000, 20);
    const again = await s.api<{ error: string }>("POST", `/api/nodes/${encodeURIComponent(n2.name)}/kill`);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("replica n2 is not running (restarting); it cannot be killed now");
    const back = await waitFor("n2 up again with a new process", async () => {
      const n = byShort(await cluster(), "n2");
      return n?.status === "up" && n.replica?.pid !== oldPid ? n : undefined;
    });
    console.log(`[measure] local kill → down seen in ${tDown} ms, → up again in ${Date.now() - t0} ms`);
    expect(back.replica!.restarts).toBeGreaterThanOrEqual(1);
    await waitFor("n2 linked again", async () => byShort(await cluster(), "n2")!.links.length === 2);
  });

  it("detects a seed-protocol message from a stock erl node that knows nothing of Swarmscope", async () => {
    const c = await cluster();
    const n1 = byShort(c, "n1")!.name;
    expect((fs.statSync(path.join(s.dataDir, "cookie")).mode & 0o777).toString(8)).toBe("600");
    const stranger = `stranger${process.pid}@127.0.0.1`;
    // A plain erl: the seed's send, then the seed's {get, Pid}, printed.
    const script = `{msg, '${n1}'} ! {send, node(), <<"hi from a stranger">>}, timer:sleep(300), {msg, '${n1}'} ! {get, self()}, receive {msgs, M} -> io:format("~p~n", [M]) after 5000 -> io:format("no answer~n") end, halt().`;
    const { stdout } = await run("erl", ["-noshell", "-name", stranger, "-eval", script], { env: erlangEnv(s.dataDir), timeout: 30_000 });
    expect(stdout).toContain("hi from a stranger");
    const m = await waitFor("the stranger's message in the timeline", async () =>
      (await s.api<{ messages: MessageDTO[] }>("GET", "/api/messages?limit=50")).body.messages.find((x) => x.content === "hi from a stranger"),
    );
    expect(m).toMatchObject({ from: stranger, to: n1, status: "received", seed: true });
  });

  it("scales 3 → 2 → 3", async () => {
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    await waitFor("2 nodes", () => allUp(2));
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    const c = await waitFor("3 nodes again", () => allUp(3));
    expect(c.nodes.map((n: NodeDTO) => short(n.name)).sort()).toEqual(["n1", "n2", "n3"]);
  });

  it("scales 3 → 2 → 3 asked at once: ends with 3 up and the deploy progress done", async () => {
    const oldPid = byShort((await allUp(3))!, "n3")!.replica!.pid;
    const t0 = Date.now();
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    // n3 was told to stop by the 2; the 3 must bring a new n3, not count the stopping one.
    const c = await waitFor("3 nodes up with a new n3, progress done", async () => {
      const c = await allUp(3);
      return c?.progress?.done && byShort(c, "n3")!.replica?.pid !== oldPid ? c : undefined;
    });
    console.log(`[measure] local 3 → 2 → 3 at once: settled in ${Date.now() - t0} ms`);
    expect(c.desiredReplicas).toBe(3);
    expect(c.progress).toMatchObject({ target: 3, done: true });
    expect(c.progress?.error).toBeUndefined();
    expect(c.nodes.map((n: NodeDTO) => short(n.name)).sort()).toEqual(["n1", "n2", "n3"]);
  });

  it("a second instance with another data folder runs beside it without touching its nodes", async () => {
    const other = await startServer();
    try {
      await waitFor("second bridge up", async () => (await other.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
      await other.api("PUT", "/api/cluster", { replicas: 2 });
      const oc = await waitFor("second instance's 2 nodes", async () => {
        const c = (await other.api<ClusterDTO>("GET", "/api/cluster")).body;
        return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up") ? c : undefined;
      });
      const mine = await cluster();
      expect(oc.deploymentId).not.toBe(mine.deploymentId);
      expect(mine.nodes).toHaveLength(3);
      expect(mine.nodes.every((n) => n.name.includes(`-${mine.deploymentId}@`))).toBe(true);
      expect(oc.nodes.every((n) => n.name.includes(`-${oc.deploymentId}@`))).toBe(true);
      // The first instance cannot be told to use the other's nodes.
      const r = await s.api("POST", "/api/messages", { from: oc.nodes[0]!.name, to: mine.nodes[0]!.name, content: "x" });
      expect(r.status).toBe(404);
      await other.api("PUT", "/api/cluster", { replicas: 0 });
      await waitFor("second instance empty", async () => (await other.api<ClusterDTO>("GET", "/api/cluster")).body.nodes.length === 0);
      expect((await allUp(3))?.nodes).toHaveLength(3);
    } finally {
      await other.stop();
      fs.rmSync(other.dataDir, { recursive: true, force: true });
    }
  });
});
