import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO, StatsDTO, TrafficState } from "../../lib/contracts/http-replies";
import type { ReplayItem, ReplayReply } from "../../lib/contracts/replay";
import { type ServerHandle, startServer, waitFor } from "./harness";

type Second = Extract<ReplayItem, { type: "second" }>;
const secondsOf = (items: ReplayItem[]) => items.filter((i): i is Second => i.type === "second");
const sum = (items: ReplayItem[], k: "sent" | "received" | "acked" | "lost") => secondsOf(items).reduce((a, s) => a + s.counts[k], 0);

// GET /api/replay on a real server: a known run's receptions come back in time order, adding up
// to the counters, paged or not; bad parameters are a 400. Every reply is checked against the
// contract by the harness.
describe("GET /api/replay", () => {
  let s: ServerHandle | undefined;
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  const all = async (q: string, limit: number): Promise<{ first: ReplayReply; items: ReplayItem[]; pages: number; ms: number }> => {
    const t0 = performance.now();
    const first = (await s!.api<ReplayReply>("GET", `/api/replay?${q}&limit=${limit}`)).body;
    const items = [...first.items];
    let pages = 1;
    for (let next = first.next; next !== null; pages++) {
      const r = await s!.api<ReplayReply>("GET", `/api/replay?${q}&limit=${limit}&after=${next}`);
      expect(r.status).toBe(200);
      expect(r.body.start).toBeUndefined();
      items.push(...r.body.items);
      next = r.body.next;
    }
    return { first, items, pages, ms: performance.now() - t0 };
  };

  it("pages a ring run and a message sent by hand back in order, adding up to the counters", { timeout: 150_000 }, async () => {
    s = await startServer();
    expect((await s.api("GET", "/api/replay", undefined, null)).status).toBe(401);
    const empty = (await s.api<ReplayReply>("GET", "/api/replay")).body;
    expect(empty.items.every((i) => i.type === "event")).toBe(true); // nothing but the start-up's events
    for (const bad of ["?since=x", "?since=10&until=5", "?limit=0", "?limit=5001", "?limit=1.5", "?after=-1", "?until=abc", "?nope=1"]) {
      const r = await s.api<{ error?: string }>("GET", `/api/replay${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error, bad).toEqual(expect.any(String));
    }

    await waitFor("bridge up", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    const c = await waitFor("2 up", async () => {
      const x = (await s!.api<ClusterDTO>("GET", "/api/cluster")).body;
      return x.nodes.length === 2 && x.nodes.every((n) => n.status === "up") ? x : undefined;
    });
    const [a, b] = c.nodes.map((n) => n.name).sort() as [string, string];
    const run = await s.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "ring", rounds: 1500 });
    expect(run.status).toBe(202);
    const sent = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "replay me" });
    const id = sent.body.ids[0]!;
    const st = await waitFor("the run done, nothing in flight, every ack in", async () => {
      const t = (await s!.api<{ traffic: TrafficState | null }>("GET", "/api/traffic")).body.traffic;
      const x = (await s!.api<StatsDTO>("GET", "/api/stats")).body;
      return t?.done === t?.generators && x.sent === 3001 && x.inFlight === 0 && x.acked === x.received ? x : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // the last acks' batch on disk
    const until = Date.now();

    const whole = await all(`until=${until}`, 5000);
    expect(whole.pages).toBe(1);
    const { first, items } = whole;
    expect(first.start!.counts).toEqual({ sent: 0, received: 0, acked: 0, lost: 0 });
    expect(first.marks!.map((m) => m.text)).toEqual(expect.arrayContaining(["deploy/scale to 2 requested", expect.stringMatching(/^traffic ring started/)]));
    const ats = items.map((i) => i.at);
    expect(ats).toEqual([...ats].sort((x, y) => x - y));
    expect([sum(items, "sent"), sum(items, "received"), sum(items, "lost")]).toEqual([st.sent, st.received, st.lost]);
    expect(sum(items, "acked")).toBe(st.acked);
    const secs = secondsOf(items);
    expect(secs.reduce((n, x) => n + (x.nodes[a]?.received ?? 0) + (x.nodes[b]?.received ?? 0), 0)).toBe(st.received);
    expect(secs.reduce((n, x) => n + (x.nodes[a]?.sent ?? 0) + (x.nodes[b]?.sent ?? 0), 0)).toBe(st.sent);

    // Both nodes joined before the first reception; the hand-sent message is there as it ended.
    const joined = items.filter((i) => i.type === "event" && i.event.kind === "nodeup").map((i) => i.at);
    expect(joined).toHaveLength(2);
    expect(Math.max(...joined)).toBeLessThan(secs.find((x) => x.counts.received > 0)!.at + 1000);
    const tracked = items.find((i): i is Extract<ReplayItem, { type: "message" }> => i.type === "message" && i.message.id === id)!;
    expect(tracked.message).toMatchObject({ content: "replay me", status: "acked" });
    expect(tracked.at).toBeLessThanOrEqual(tracked.message.sentAt! + 1); // created (server ms) before the node sent it (µs)

    // The samples: receptions of their second, in order, each the books' own message.
    const samples = secs.flatMap((x) => x.samples);
    expect(samples.length).toBeGreaterThan(0);
    for (const x of secs) {
      expect(x.samples.length).toBeLessThanOrEqual(20);
      const times = x.samples.map((m) => m.receivedAt!);
      expect(times).toEqual([...times].sort((p, q) => p - q));
      for (const t of times) expect(t >= x.at && t < x.at + 1000).toBe(true);
    }
    expect(samples.some((m) => m.id === id)).toBe(false);
    for (const m of [samples[0]!, samples.at(-1)!]) {
      const book = (await s.api<MessageDTO>("GET", `/api/messages/${m.id}`)).body;
      expect(book).toMatchObject({ from: m.from, to: m.to, status: "acked" });
      expect(book.receivedAt).toBeCloseTo(m.receivedAt!, 3);
    }

    // Paged by 7: the same items; a later window starts from the counters as they stood then.
    const paged = await all(`until=${until}`, 7);
    expect(paged.pages).toBeGreaterThanOrEqual(Math.floor(items.length / 7));
    expect(paged.items).toEqual(items);
    // (a window that starts after both joined: the run may begin in the second they joined in)
    const mid = Math.max(Math.max(...joined) + 1, secs.at(-1)!.at);
    const later = await all(`since=${mid}&until=${until}`, 5000);
    expect(later.first.since).toBe(mid);
    expect(later.first.start!.counts.received + sum(later.items, "received")).toBe(st.received);
    expect(later.first.start!.nodes.filter((n) => n.status === "up").map((n) => n.name).sort()).toEqual([a, b]);
    console.log(`[measure] replay: ${items.length} items (${secs.length} seconds, ${samples.length} samples) for ${st.received} receptions in ${whole.ms.toFixed(0)} ms; by 7: ${paged.pages} pages in ${paged.ms.toFixed(0)} ms`);
  });
});
