import { expect } from "vitest";
import type { ClusterDTO, StatsDTO, TrafficState } from "../../lib/contracts/http-replies";
import { type ServerHandle, short, waitFor } from "./harness";

// Shared steps of the books' integration tests: a cluster up and meshed, a run settled, and the
// checks every test of the books ends with.

export async function upAndMeshed(s: ServerHandle, n: number): Promise<string[]> {
  await waitFor("the bridge to be up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 30_000);
  expect((await s.api("PUT", "/api/cluster", { replicas: n })).status).toBe(202);
  const c = await waitFor(`${n} nodes up and meshed`, async () => {
    const x = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
    return x.nodes.length === n && x.nodes.every((m) => m.status === "up" && m.links.length === n - 1) ? x : undefined;
  }, 60_000);
  return c.nodes.map((m) => m.name).sort((a, b) => short(a).localeCompare(short(b), "en", { numeric: true }));
}

export const stats = async (s: ServerHandle) => (await s.api<StatsDTO>("GET", "/api/stats")).body;
export const traffic = async (s: ServerHandle) => (await s.api<{ traffic: TrafficState | null }>("GET", "/api/traffic")).body.traffic;

/**
 * Waits until the run's generators all ended, nothing is in flight, every reception is acked,
 * and the books were reconciled with every node's own counters at least `pairs` pairs over.
 */
export async function settled(s: ServerHandle, run: string, nodes: number, pairs: number, timeoutMs = 60_000): Promise<{ t: TrafficState; st: StatsDTO }> {
  return waitFor(
    `run ${run} settled and reconciled`,
    async () => {
      const t = await traffic(s);
      if (!t || t.run !== run || t.done !== t.generators) return undefined;
      const st = await stats(s);
      const r = st.reconciled;
      return st.inFlight === 0 && st.acked === st.received && r.ok && r.nodes === nodes && r.pairs >= pairs ? { t, st } : undefined;
    },
    timeoutMs,
    200,
  );
}

/** sent = received + lost + inFlight in total and per sender; the counters never negative. */
export function expectBalanced(st: StatsDTO): void {
  expect(st.sent, "total: sent = received + lost + inFlight").toBe(st.received + st.lost + st.inFlight);
  for (const [node, p] of Object.entries(st.perNode)) {
    expect(p.sent, `${node}: sent = received + lost + inFlight`).toBe(p.received + p.lost + p.inFlight);
    expect(Math.min(p.sent, p.received, p.lost, p.inFlight, p.acked), node).toBeGreaterThanOrEqual(0);
  }
}
