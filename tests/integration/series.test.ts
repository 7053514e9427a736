import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDTO, SeriesDTO, StatsDTO, TrafficState } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "./harness";

const sum = (s: SeriesDTO, f: (p: SeriesDTO["points"][number]) => number) => s.points.reduce((a, p) => a + f(p), 0);

/** The counts behind the rates: rate × bucket length, summed, is exactly the count. */
function expectAddsUp(s: SeriesDTO, st: StatsDTO) {
  expect(s.points.length).toBeGreaterThan(0);
  expect(s.points.length).toBeLessThanOrEqual(1000);
  expect(s.bucketMs).toBeGreaterThanOrEqual(1000);
  expect(sum(s, (p) => p.sent), "sent").toBe(st.sent);
  expect(sum(s, (p) => p.received), "received").toBe(st.received);
  expect(sum(s, (p) => p.lost), "lost").toBe(st.lost);
  expect(Math.round(sum(s, (p) => (p.sentPerS * p.durationMs) / 1000)), "sent/s × s").toBe(st.sent);
  expect(Math.round(sum(s, (p) => (p.receivedPerS * p.durationMs) / 1000)), "received/s × s").toBe(st.received);
  for (const p of s.points) {
    expect(Math.abs((p.sentPerS * p.durationMs) / 1000 - p.sent)).toBeLessThan(1e-6);
    expect(Math.abs((p.receivedPerS * p.durationMs) / 1000 - p.received)).toBeLessThan(1e-6);
  }
}

// The charts' history comes from the store: it adds up to the counters, and survives a restart.
describe("GET /api/series", () => {
  let s: ServerHandle | undefined;
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("buckets a ring run so that it adds up to /api/stats, before and after a restart", { timeout: 150_000 }, async () => {
    s = await startServer();
    const series = async (q = "") => s!.api<SeriesDTO>("GET", `/api/series${q}`);

    expect((await series()).body).toMatchObject({ points: [] }); // no history yet
    expect((await s.api("GET", "/api/series", undefined, null)).status).toBe(401);
    for (const bad of ["?points=0", "?points=1001", "?points=2.5", "?since=x", "?since=10&until=5", "?nope=1"]) {
      const r = await s.api<{ error?: string }>("GET", `/api/series${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error, bad).toEqual(expect.any(String));
    }

    await waitFor("bridge up", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    await waitFor("2 up", async () => {
      const c = (await s!.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up");
    });

    // Two ring runs 3 s apart, so the traffic spans several one-second buckets.
    const ring = async () => {
      const r = await s!.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "ring", rounds: 200 });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.body.traffic.expected).toBe(400);
      return waitFor("the run done, nothing in flight, every ack in", async () => {
        const t = (await s!.api<{ traffic: TrafficState | null }>("GET", "/api/traffic")).body.traffic;
        if (!t || t.run !== r.body.traffic.run || t.done !== t.generators) return undefined;
        const x = (await s!.api<StatsDTO>("GET", "/api/stats")).body;
        return x.inFlight === 0 && x.acked === x.received ? x : undefined;
      }, 45_000);
    };
    await ring();
    await new Promise((res) => setTimeout(res, 3000));
    const st = await ring();
    expect(st).toMatchObject({ sent: 800, received: 800, lost: 0 });

    const before = (await series()).body;
    expect(before.points.length).toBeGreaterThanOrEqual(3);
    expect(before.points.filter((p) => p.sent > 0).length).toBeGreaterThanOrEqual(2);
    expect(before.points.some((p) => p.sent === 0)).toBe(true); // the gap between the runs
    console.log(`[measure] series: ${before.points.length} buckets of ${before.bucketMs} ms, ${sum(before, (p) => p.sent)} sent, ${sum(before, (p) => p.received)} received, busiest bucket ${Math.max(...before.points.map((p) => p.sentPerS))} sent/s`);
    expectAddsUp(before, st);
    expect(Math.max(...before.points.map((p) => p.nodesUp))).toBe(2);
    expect(before.points.at(-1)!.nodesUp).toBe(2);
    const timed = before.points.filter((p) => p.received > 0);
    for (const p of timed) {
      expect(p.p50).toEqual(expect.any(Number));
      expect(p.p50!).toBeLessThanOrEqual(p.p95!);
      expect(p.p95!).toBeLessThanOrEqual(p.p99!);
    }
    // Fewer points: bigger buckets, the same sums.
    const coarse = (await series(`?since=${before.since}&points=3`)).body;
    expect(coarse.points.length).toBeLessThanOrEqual(3);
    expectAddsUp(coarse, st);

    const dataDir = s.dataDir;
    await s.api("PUT", "/api/cluster", { replicas: 0 });
    await waitFor("0 nodes", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.nodes.length === 0);
    await s.stop();

    s = await startServer({ dataDir });
    const stAfter = (await s.api<StatsDTO>("GET", "/api/stats")).body;
    expect(stAfter).toMatchObject({ sent: st.sent, received: st.received, lost: st.lost });
    const after = (await series()).body;
    expectAddsUp(after, stAfter);
    expect(Math.max(...after.points.map((p) => p.nodesUp))).toBe(2);
    expect(after.points.at(-1)!.nodesUp).toBe(0); // scaled to 0, then restarted with none
    // The same buckets as before the restart, where both cover them.
    const same = (await series(`?since=${before.since}&until=${before.until}&points=1000`)).body;
    expect(same.points.map((p) => [p.t, p.sent, p.received, p.p95])).toEqual(before.points.map((p) => [p.t, p.sent, p.received, p.p95]));
  });
});
