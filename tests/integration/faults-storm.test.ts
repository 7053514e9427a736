import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, ClusterEventDTO, TrafficState } from "../../lib/contracts/http-replies";
import { upAndMeshed } from "./books-helpers";
import { settledExact } from "./fault-helpers";
import { type ServerHandle, startServer } from "./harness";

// No false alarms: a 10k msgs/s storm on 5 local replicas with the default tick (2000 ms) marks no
// node down, for 30 s (STORM_S=15 shortens it).
const STORM_S = Number(process.env.STORM_S ?? 30);

describe("no false alarms under a storm", () => {
  let s: ServerHandle;

  beforeAll(async () => {
    s = await startServer({ env: { SWARMSCOPE_TICK_MS: "2000" } });
    await upAndMeshed(s, 5);
  }, 90_000);

  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it(`10k msgs/s for ${STORM_S} s: every node stays up, the books exact`, { timeout: (STORM_S + 120) * 1000 }, async () => {
    const t0 = Date.now();
    const run = (await s.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "storm", rate: 10_000, durationS: STORM_S })).body.traffic.run;
    let worst = 5;
    while (Date.now() - t0 < STORM_S * 1000 + 3000) {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      worst = Math.min(worst, c.nodes.filter((n) => n.status === "up").length);
      await new Promise((r) => setTimeout(r, 250));
    }
    const st = await settledExact(s, run, 5);
    const downs = (await s.api<{ events: ClusterEventDTO[] }>("GET", "/api/events?limit=1000")).body.events.filter((e) => e.kind === "nodedown" && e.at >= t0);
    console.log(`[measure] storm 10k msgs/s for ${STORM_S} s, tick 2000 ms: ${st.sent} sent, ${st.received} received, ${st.lost} lost, ${downs.length} nodes marked down, fewest up ${worst}`);
    expect(downs).toEqual([]);
    expect(worst).toBe(5);
    expect(st.lost).toBe(0);
  });
});
