import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "./harness";

// History lives in SQLite in the data folder: a restarted server still shows it.
describe("history survives a restart", () => {
  let s: ServerHandle | undefined;
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("keeps messages and counters across a stop and start", async () => {
    s = await startServer();
    await waitFor("bridge up", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    await s.api("PUT", "/api/cluster", { replicas: 2 });
    const c = await waitFor("2 up", async () => {
      const c = (await s!.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up") ? c : undefined;
    });
    const [a, b] = c.nodes.map((n) => n.name) as [string, string];
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "remember me" });
    const id = r.body.ids[0]!;
    await waitFor("acked", async () => (await s!.api<MessageDTO>("GET", `/api/messages/${id}`)).body.status === "acked");
    const before = (await s.api<StatsDTO>("GET", "/api/stats")).body;
    const dataDir = s.dataDir;
    await s.stop();

    s = await startServer({ dataDir });
    const m = (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
    expect(m).toMatchObject({ id, content: "remember me", status: "acked", from: a, to: b });
    const list = (await s.api<{ messages: MessageDTO[] }>("GET", "/api/messages?limit=10")).body.messages;
    expect(list.map((x) => x.id)).toContain(id);
    const after = (await s.api<StatsDTO>("GET", "/api/stats")).body;
    expect(after).toMatchObject({ sent: before.sent, received: before.received, acked: before.acked, lost: before.lost });
    const events = (await s.api<{ events: { text: string }[] }>("GET", "/api/events?limit=200")).body.events;
    expect(events.some((e) => /joined/.test(e.text))).toBe(true);
  });
});
