// Faults on Docker Swarm through the real server and POST /api/faults: freeze (docker pause, by the
// host agent's engine) and a partition between two groups of tasks (blackhole routes in each task's
// network namespace, set by the agents), each detected within the net tick (+ margin), healed, and
// the books exact; then the chaos-tour scenario end to end. Skipped (with a message) without a
// Docker Swarm, unless CI=true.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioRunDTO } from "../../lib/contracts/fault-replies";
import type { ClusterDTO, StatsDTO, TrafficState } from "../../lib/contracts/http-replies";
import { detected, expectReasons, healed, inject, lostReasons, meshed, settledExact } from "../integration/fault-helpers";
import { type ServerHandle, short, startServer, waitFor } from "../integration/harness";
import { ensureErlangBuilt, randomId, removeStackLeftovers, swarmGate } from "./helpers";

const { probe, skip } = await swarmGate();
const STACK = randomId("ssft");
const TICK_MS = 2000;
const BOUND = TICK_MS * 1.25 + 3000; // + the agent's docker call, on a busy machine

describe.skipIf(skip)("faults on Swarm through the API", () => {
  let s: ServerHandle;
  let nodes: string[] = [];

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: STACK, SWARMSCOPE_TICK_MS: String(TICK_MS) } });
    await waitFor("the bridge to be up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 540_000, 250);
    expect((await s.api("PUT", "/api/cluster", { replicas: 4 })).status).toBe(202);
    const c = await meshed(s, 4).catch(async () => meshed(s, 4));
    nodes = c.nodes.map((n) => n.name).sort((a, b) => short(a).localeCompare(short(b), "en", { numeric: true }));
    // The agents of the hosts the replicas run on must be reachable (freeze and the cut go through them).
    await waitFor("the host agents", async () => {
      const hosts = (await s.api<{ hosts: { agent: string; replicas: unknown[] }[] }>("GET", "/api/hosts")).body.hosts;
      return hosts.filter((h) => h.replicas.length > 0).every((h) => h.agent === "up");
    }, 120_000, 500);
  }, 600_000);

  afterAll(async () => {
    if (!probe.ok) return;
    if (s) {
      await s.api("DELETE", "/api/faults").catch(() => {});
      await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
      await s.stop();
      fs.rmSync(s.dataDir, { recursive: true, force: true });
    }
    await removeStackLeftovers(STACK, [`${STACK}_cookie`]);
  }, 120_000);

  const storm = async () => (await s.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "storm", rate: 500, durationS: 6 })).body.traffic.run;

  it("freeze (docker pause): down within the tick, thawed and relinked, books exact", { timeout: 180_000 }, async () => {
    const reasons = await lostReasons(s);
    const run = await storm();
    const f = await inject(s, { kind: "freeze", nodes: [nodes[1]!] });
    expect(f.how).toMatch(/docker pause/);
    await detected(s, f, BOUND);
    await healed(s, f, 60_000);
    await meshed(s, 4);
    await settledExact(s, run, 4);
    expectReasons(reasons, await lostReasons(s), /node_frozen/);
  });

  it("partition 2|2 (blackhole routes by the agents): links across gone within the tick, healed, books exact", { timeout: 180_000 }, async () => {
    const reasons = await lostReasons(s);
    const run = await storm();
    const f = await inject(s, { kind: "partition", groups: [nodes.slice(0, 2), nodes.slice(2)] });
    expect(f.how).toMatch(/blackhole/);
    await detected(s, f, BOUND);
    const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
    expect(c.nodes.find((n) => n.name === nodes[0])!.links.sort()).toEqual([nodes[1]]);
    await healed(s, f, 60_000);
    await meshed(s, 4);
    await settledExact(s, run, 4);
    expectReasons(reasons, await lostReasons(s), /partition/);
  });

  it("chaos-tour (deploy, send, storm, kill, freeze, partition, heal, thaw, scale) runs to passed on Swarm", { timeout: 420_000 }, async () => {
    const r = await s.api<{ run: ScenarioRunDTO }>("POST", "/api/scenarios/chaos-tour/run");
    expect(r.status).toBe(202);
    const done = await waitFor("chaos-tour ended", async () => {
      const x = (await s.api<{ run: ScenarioRunDTO }>("GET", `/api/scenarios/runs/${r.body.run.id}`)).body.run;
      return x.status !== "running" ? x : undefined;
    }, 400_000, 500);
    for (const st of done.steps) console.log(`[measure] swarm chaos-tour · ${st.name}: ${st.status} in ${st.ms} ms — ${st.detail}`);
    expect(done.steps.filter((x) => x.status !== "passed").map((x) => `${x.name}: ${x.detail}`)).toEqual([]);
    expect(done.status).toBe("passed");
    await meshed(s, 7);
    const st = await waitFor("books reconciled", async () => {
      const x = (await s.api<StatsDTO>("GET", "/api/stats")).body;
      return x.inFlight === 0 && x.reconciled.ok ? x : undefined;
    }, 120_000, 500);
    expect(st.sent).toBe(st.received + st.lost);
  });
});
