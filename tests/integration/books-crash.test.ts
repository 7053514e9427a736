import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClusterDTO, FullHealthReply, MessageDTO, TrafficState } from "../../lib/contracts/http-replies";
import { expectBalanced, settled, stats, traffic, upAndMeshed } from "./books-helpers";
import { type ServerHandle, startServer, waitFor } from "./harness";

// The books through Swarmscope's own faults: after each, the books equal what the nodes counted,
// pair by pair, nothing counted twice, nothing lost from them.
describe("books through crashes", () => {
  let s: ServerHandle | undefined;
  const N = 3;
  const pairChecks = 2 * N * (N - 1);

  afterEach(async () => {
    await s?.api("DELETE", "/api/traffic").catch(() => {});
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
    s = undefined;
  });

  it("the bridge SIGKILLed mid-storm: restarted, reports sent again, each applied once", { timeout: 120_000 }, async () => {
    s = await startServer();
    const srv = s;
    await upAndMeshed(srv, N);
    const deployment = (await srv.api<ClusterDTO>("GET", "/api/cluster")).body.deploymentId;
    const r = await srv.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "storm", rate: 3000, durationS: 4 });
    await waitFor("the storm under way", async () => (await stats(srv)).sent >= 2000, 30_000, 50);
    const pid = Number(execFileSync("pgrep", ["-f", `name bridge-${deployment}@`], { encoding: "utf8" }).trim().split("\n")[0]);
    expect(pid).toBeGreaterThan(0);
    const t0 = Date.now();
    process.kill(pid, "SIGKILL");
    await waitFor("the bridge seen down", async () => (await srv.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status !== "up", 10_000, 20);
    await waitFor("the bridge up again", async () => (await srv.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 30_000, 50);
    console.log(`[measure] bridge SIGKILL → up again in ${Date.now() - t0} ms`);
    // The run's generators kept going inside the nodes: they end by themselves; the bridge's end
    // marked them done already, so wait for the books instead.
    const st = await waitFor("the books settled and reconciled", async () => {
      const x = await stats(srv);
      const q = x.reconciled;
      return x.inFlight === 0 && x.acked === x.received && x.sent >= r.body.traffic.expected && q.ok && q.nodes === N && q.pairs >= pairChecks ? x : undefined;
    }, 60_000, 200);
    await new Promise((res) => setTimeout(res, 1500)); // every node's next stats, once more
    const again = await stats(srv);
    console.log(`[measure] after the bridge crash: ${again.sent} sent, ${again.received} received, ${again.lost} lost; ${again.reconciled.pairs} pair checks`);
    expectBalanced(again);
    expect(again.reconciled).toMatchObject({ ok: true, mismatches: [] });
    expect(again.sent).toBe(st.sent);
    expect(again.lost).toBe(0); // the nodes kept every report; no message goes through the bridge
    expect(again.received).toBe(again.sent);
    expect((await traffic(srv))?.sent, "the run's count, every report once").toBe(again.sent);
    expect(again.sent).toBe(r.body.traffic.expected); // nothing failed to send: every one of them there, once
  });

  it("SQLite read-only mid-run: the server keeps going, says so, and once writable the books are exact and stored", { timeout: 120_000 }, async () => {
    s = await startServer({ env: { SWARMSCOPE_TEST_HOOKS: "1" } });
    let srv = s;
    await upAndMeshed(srv, N);
    const hook = path.join(srv.dataDir, "store-read-only");
    const r = await srv.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "storm", rate: 2000, durationS: 5 });
    await waitFor("the storm under way", async () => (await stats(srv)).sent >= 1000, 30_000, 50);
    fs.writeFileSync(hook, "");
    const failing = await waitFor("the store error shown", async () => {
      const h = (await srv.api<FullHealthReply>("GET", "/api/health")).body;
      return h.store.ok ? undefined : h;
    }, 10_000, 50);
    expect(failing.store.lastError).toMatch(/readonly/i);
    const during = await waitFor("reports waiting for the store", async () => {
      const x = await stats(srv);
      return !x.store.ok && x.store.waiting > 0 ? x : undefined;
    }, 10_000, 50);
    console.log(`[measure] store read-only: ${during.store.waiting} node incarnation(s) waiting; error "${during.store.lastError}"`);
    await new Promise((res) => setTimeout(res, 3000));
    expect((await srv.api<FullHealthReply>("GET", "/api/health")).body.status).toBe("ok"); // still running
    fs.rmSync(hook);
    await waitFor("the store writing again", async () => (await srv.api<FullHealthReply>("GET", "/api/health")).body.store.ok, 30_000, 100);
    const { st } = await settled(srv, r.body.traffic.run, N, pairChecks);
    expectBalanced(st);
    expect(st).toMatchObject({ sent: r.body.traffic.expected, received: r.body.traffic.expected, lost: 0 });
    // Stored, not only in memory: a restart reads the same counters back.
    const dataDir = srv.dataDir;
    await srv.api("PUT", "/api/cluster", { replicas: 0 });
    await waitFor("0 nodes", async () => (await srv.api<ClusterDTO>("GET", "/api/cluster")).body.nodes.length === 0);
    await srv.stop();
    s = srv = await startServer({ dataDir });
    expect(await stats(srv)).toMatchObject({ sent: st.sent, received: st.received, acked: st.acked, lost: 0, inFlight: 0 });
  });

  it("a late reception after a loss verdict turns the loss back into a reception, exactly once", { timeout: 120_000 }, async () => {
    s = await startServer({ env: { SWARMSCOPE_LOSS_TIMEOUT_MS: "1000" } });
    const srv = s;
    const [a, b] = (await upAndMeshed(srv, 2)) as [string, string];
    const pid = (await srv.api<ClusterDTO>("GET", "/api/cluster")).body.nodes.find((n) => n.name === b)!.replica!.pid!;
    const before = await stats(srv);
    process.kill(pid, "SIGSTOP");
    let id = "";
    try {
      id = (await srv.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "late" })).body.ids[0]!;
      await srv.api("POST", "/api/traffic", { pattern: "one", from: a, to: b, rounds: 50 });
      const lost = await waitFor("the timeout verdict", async () => {
        const m = (await srv.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
        return m.status === "lost" ? m : undefined;
      }, 15_000, 50);
      expect(lost.reason).toMatch(/^timeout/);
      expect((await stats(srv)).lost - before.lost).toBe(51);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const m = await waitFor("the late reception", async () => {
      const x = (await srv.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
      return x.status === "acked" ? x : undefined;
    }, 15_000, 50);
    expect(m.reason).toBeNull();
    const st = await waitFor("the books reconciled", async () => {
      const x = await stats(srv);
      return x.reconciled.ok && x.reconciled.nodes === 2 && x.inFlight === 0 && x.received - before.received === 51 ? x : undefined;
    }, 15_000, 100);
    expect(st.lost - before.lost).toBe(0);
    expect(st.sent - before.sent).toBe(51);
    expectBalanced(st);
  });
});
