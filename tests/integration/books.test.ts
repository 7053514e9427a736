import fs from "node:fs";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageDTO, TrafficState } from "../../lib/contracts/http-replies";
import type { MessagesBatch } from "../../lib/contracts/socket";
import { expectBalanced, settled, stats, upAndMeshed } from "./books-helpers";
import { type ServerHandle, startServer, waitFor } from "./harness";

// A storm's books in runs give exactly what individually tracked messages would: the same
// totals (equal to the nodes' own counters, pair by pair), and for any single message the same
// answer whether asked by id or read from the expanded export. The timeline gets a marked sample.
describe("books in runs on real nodes", () => {
  let s: ServerHandle;
  let nodes: string[] = [];
  const N = 3;

  beforeAll(async () => {
    s = await startServer();
    nodes = await upAndMeshed(s, N);
  });

  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("a storm with hand-sent messages in it: exact totals, reconciled pair by pair, every message answered alike", { timeout: 120_000 }, async () => {
    const batches: MessagesBatch[] = [];
    const socket = io(s.url, { auth: { token: s.token }, transports: ["websocket"] });
    socket.on("messages", (b: MessagesBatch) => batches.push(b));
    await waitFor("the socket connected", () => socket.connected, 10_000, 20);
    const before = await stats(s);
    const t0 = Date.now();
    const r = await s.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "storm", rate: 3000, durationS: 3 });
    expect(r.status).toBe(202);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const m = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: nodes[i % N], to: nodes[(i + 1) % N], content: `tracked ${i}` });
      ids.push(...m.body.ids);
      await new Promise((res) => setTimeout(res, 50));
    }
    const { t, st } = await settled(s, r.body.traffic.run, N, 2 * N * (N - 1));
    socket.close();
    const sent = st.sent - before.sent;
    console.log(`[measure] storm in runs: ${sent} sent, ${st.received - before.received} received, ${st.lost - before.lost} lost in ${Date.now() - t0} ms; reconciled ${st.reconciled.pairs} pair checks over ${st.reconciled.nodes} nodes`);
    expectBalanced(st);
    expect(st.reconciled).toMatchObject({ ok: true, mismatches: [] });
    expect(sent, "every bulk message the generators sent, and the hand-sent ones, once").toBe(t.reported + ids.length);
    expect(t.sent, "the run's live count = the generators' own").toBe(t.reported);
    expect(st.lost - before.lost).toBe(0);
    expect(st.received - before.received).toBe(sent);

    // Tracked messages: acked, with their content, one-way latency (one host).
    for (const id of ids) expect((await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body).toMatchObject({ status: "acked", latencyKind: "one-way" });

    // The expanded export: one row per message of the runs; a sample asked one by one gives the same.
    const res = await fetch(`${s.url}/api/export?format=json&expand=1`, { headers: { authorization: `Bearer ${s.token}` } });
    const body = (await res.json()) as { messages: MessageDTO[]; pairs: { pair: number; sent: number }[] };
    const bulk = body.messages.filter((m) => /^p\d+\.\d+$/.test(m.id));
    expect(bulk.length + body.messages.filter((m) => ids.includes(m.id)).length).toBe(st.sent);
    expect(bulk.every((m) => m.status === "acked" && m.latencyKind === "one-way" && m.sentAt !== null && m.receivedAt! >= m.sentAt)).toBe(true);
    expect(body.pairs.reduce((a, p) => a + p.sent, 0)).toBe(st.sent);
    for (let i = 0; i < bulk.length; i += Math.max(1, Math.floor(bulk.length / 60))) {
      const m = bulk[i]!;
      expect((await s.api<MessageDTO>("GET", `/api/messages/${m.id}`)).body, m.id).toEqual(m);
    }
    expect((await s.api("GET", `/api/messages/p${body.pairs[0]!.pair}.${body.pairs[0]!.sent + 1}`)).status).toBe(404);

    // The timeline got a sample, marked, standing for the rest; and the pairs' exact books.
    const samples = batches.flatMap((b) => b.messages.filter((m) => m.sampled));
    console.log(`[measure] socket during the storm: ${batches.length} batches, ${samples.length} sampled rows standing for ${samples.reduce((a, m) => a + (m.sampleOf ?? 0), 0)} receptions`);
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.length).toBeLessThan(sent / 10);
    expect(samples.every((m) => m.sampleOf! >= 1 && /^p\d+\.\d+$/.test(m.id))).toBe(true);
    const runs = batches.flatMap((b) => b.runs ?? []);
    expect(runs.length).toBeGreaterThan(0);
    const last = new Map(runs.map((p) => [p.pair, p]));
    for (const p of last.values()) expect(p.sent).toBe(p.received + p.lost + p.inFlight);
  });
});
