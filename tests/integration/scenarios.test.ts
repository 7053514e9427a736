import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioRunDTO } from "../../lib/contracts/fault-replies";
import type { ClusterDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "./harness";

// The scripted scenarios on local replicas, through the API: chaos-tour (deploy, send, storm, kill,
// freeze, partition, heal, thaw, scale) and seed-replay run to `passed`, each step with its
// measured time; the books balanced at the end.
describe("scenarios on local replicas", () => {
  let s: ServerHandle;

  beforeAll(async () => {
    s = await startServer();
    await waitFor("the bridge to be up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
  });

  afterAll(async () => {
    await s?.api("DELETE", "/api/faults").catch(() => {});
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  const run = async (name: string): Promise<ScenarioRunDTO> => {
    const r = await s.api<{ run: ScenarioRunDTO }>("POST", `/api/scenarios/${name}/run`);
    expect(r.status).toBe(202);
    expect((await s.api("POST", `/api/scenarios/${name}/run`)).status).toBe(409); // one at a time
    const done = await waitFor(`${name} ended`, async () => {
      const x = (await s.api<{ run: ScenarioRunDTO }>("GET", `/api/scenarios/runs/${r.body.run.id}`)).body.run;
      return x.status !== "running" ? x : undefined;
    }, 240_000, 250);
    for (const st of done.steps) console.log(`[measure] ${name} · ${st.name}: ${st.status} in ${st.ms} ms — ${st.detail}`);
    return done;
  };

  it("chaos-tour runs to passed", { timeout: 300_000 }, async () => {
    const r = await run("chaos-tour");
    expect(r.steps.filter((x) => x.status !== "passed").map((x) => `${x.name}: ${x.detail}`)).toEqual([]);
    expect(r.status).toBe("passed");
    const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
    expect(c.nodes.filter((n) => n.status === "up")).toHaveLength(7);
    const st = await waitFor("books reconciled", async () => {
      const x = (await s.api<StatsDTO>("GET", "/api/stats")).body;
      return x.inFlight === 0 && x.reconciled.ok ? x : undefined;
    });
    expect(st.sent).toBe(st.received + st.lost);
  });

  it("seed-replay: the seed's four messages, each received", { timeout: 120_000 }, async () => {
    const r = await run("seed-replay");
    expect(r.status).toBe("passed");
    expect(r.steps.filter((x) => x.name.startsWith("seed message")).every((x) => /reported it received/.test(x.detail))).toBe(true);
  });
});
