import fs from "node:fs";
import { io } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { type MessagesBatch, type Snapshot, messagesBatchSchema, snapshotSchema } from "../../lib/contracts/socket";
import { type ServerHandle, startServer, waitFor } from "./harness";

// A browser that loses its connection mid-traffic and comes back: the snapshot it gets on
// reconnect plus the live batches after it must be exactly what the server has, nothing missed
// in between.
describe("a socket reconnect gets a snapshot, then every change", () => {
  let s: ServerHandle;
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("snapshot + later batches equal /api/messages after a disconnect mid-traffic", async () => {
    s = await startServer();
    await waitFor("bridge up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    await s.api("PUT", "/api/cluster", { replicas: 2 });
    const c = await waitFor("2 up", async () => {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up") ? c : undefined;
    });
    const [a, b] = c.nodes.map((n) => n.name).sort() as [string, string];

    // What the client saw, in order: the view is rebuilt from each snapshot, then updated by batches.
    const events: { name: "snapshot" | "messages"; payload: Snapshot | MessagesBatch }[] = [];
    const socket = io(s.url, { auth: { token: s.token }, transports: ["websocket"], reconnection: false });
    socket.on("snapshot", (p: unknown) => events.push({ name: "snapshot", payload: snapshotSchema.parse(p) }));
    socket.on("messages", (p: unknown) => events.push({ name: "messages", payload: messagesBatchSchema.parse(p) }));
    const connected = () => new Promise<void>((resolve, reject) => (socket.once("connect", () => resolve()), socket.once("connect_error", reject)));
    socket.connect();
    await connected();

    let sending = true;
    const ids: string[] = [];
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: i % 2 ? a : b, to: i % 2 ? b : a, content: `rc ${i}` });
        ids.push(...r.body.ids);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await waitFor("traffic going", () => ids.length >= 50, 20_000, 10);
    socket.disconnect();
    const whileAway = ids.length;
    await new Promise((r) => setTimeout(r, 600));
    const sentAway = ids.length - whileAway;
    socket.connect();
    await connected();
    await waitFor("traffic after the reconnect", () => ids.length >= whileAway + sentAway + 100, 30_000, 10);
    sending = false;
    await sender;
    await waitFor("every message acked", async () => {
      const st = (await s.api<StatsDTO>("GET", "/api/stats")).body;
      return st.acked === ids.length && st.inFlight === 0;
    });
    const server = (await s.api<{ messages: MessageDTO[] }>("GET", "/api/messages?limit=1000")).body.messages;
    expect(server.map((m) => m.id).sort()).toEqual([...ids].sort());
    console.log(`[measure] reconnect: ${ids.length} messages, ${sentAway} sent while the socket was away (600 ms)`);

    const last = events.map((e) => e.name).lastIndexOf("snapshot");
    expect(events.filter((e) => e.name === "snapshot")).toHaveLength(2);
    const snap = events[last]!.payload as Snapshot;
    const view = new Map(snap.messages.map((m) => [m.id, m]));
    const batches = events.slice(last + 1).map((e) => e.payload as MessagesBatch);
    // Numbered without a gap from the snapshot on, nothing left out of a batch.
    expect(batches.map((x) => x.seq)).toEqual(batches.map((_, i) => snap.seq + 1 + i));
    expect(batches.reduce((n, x) => n + x.dropped, 0)).toBe(0);
    await waitFor("the last changes pushed", () => {
      const seen = new Map(view);
      for (const x of events.slice(last + 1)) for (const m of (x.payload as MessagesBatch).messages) seen.set(m.id, m);
      return server.every((m) => seen.get(m.id)?.status === "acked");
    }, 5_000, 20);
    for (const x of events.slice(last + 1)) for (const m of (x.payload as MessagesBatch).messages) view.set(m.id, m);
    expect([...view.keys()].sort()).toEqual(server.map((m) => m.id).sort());
    for (const m of server) expect(view.get(m.id), m.id).toEqual(m);
    socket.disconnect();
  });
});
