import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REPLICAS } from "../../lib/contracts/common";
import { type ClusterDTO, fullHealthReply, type MessageDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "./harness";

// Bad input gets a clear 4xx, and the server keeps working afterwards.
describe("HTTP API: access and bad input", () => {
  let s: ServerHandle;
  let n1 = "";
  let n2 = "";

  beforeAll(async () => {
    s = await startServer();
    await waitFor("bridge up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    await s.api("PUT", "/api/cluster", { replicas: 2 });
    const c = await waitFor("2 nodes up", async () => {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up") ? c : undefined;
    });
    [n1, n2] = c.nodes.map((n) => n.name).sort() as [string, string];
  });
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("health needs no token and then says only that the server is up; with the token, which runtime runs", async () => {
    const r = await s.api("GET", "/api/health", undefined, null);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
    const full = await s.api("GET", "/api/health");
    expect(full.body).toMatchObject({ status: "ok", runtime: "local" });
    const { memory } = fullHealthReply.parse(full.body);
    expect(memory.heapUsedMiB).toBeGreaterThan(0);
    expect(memory.heapUsedMiB).toBeLessThan(memory.rssMiB);
  });

  it("refuses a missing or wrong token", async () => {
    const none = await s.api("PUT", "/api/cluster", { replicas: 1 }, null);
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/missing access token/);
    const wrong = await s.api("POST", "/api/messages", { from: n1, to: n2, content: "x" }, "not-the-token");
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatch(/wrong access token/);
  });

  it("rejects replicas out of range or of the wrong type", async () => {
    for (const replicas of [-1, MAX_REPLICAS + 1, 2.5, "3"]) {
      const r = await s.api("PUT", "/api/cluster", { replicas });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/replicas/);
    }
    const unknownField = await s.api("PUT", "/api/cluster", { replicas: 2, replica: 3 });
    expect(unknownField.status).toBe(400);
  });

  it("rejects a body that is not JSON", async () => {
    const r = await s.api("POST", "/api/messages", "{not json");
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/JSON/);
  });

  it("rejects unknown nodes, naming the nodes that are up", async () => {
    const r = await s.api("POST", "/api/messages", { from: "ghost@127.0.0.1", to: n2, content: "x" });
    expect(r.status).toBe(404);
    expect(r.body.error).toContain("unknown sender ghost@127.0.0.1");
    expect(r.body.error).toContain(n1);
    const k = await s.api("POST", `/api/nodes/${encodeURIComponent("nobody@nowhere")}/kill`);
    expect(k.status).toBe(404);
    const m = await s.api("GET", "/api/messages/does-not-exist");
    expect(m.status).toBe(404);
  });

  it("rejects oversized content with 413", async () => {
    const r = await s.api("POST", "/api/messages", { from: n1, to: n2, content: "x".repeat(64 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/at most 65536 bytes/);
  });

  it("refuses a chunked body past the limit while it streams (413), without reading it all", async () => {
    let pushed = 0;
    const chunk = new TextEncoder().encode(`"${"x".repeat(16 * 1024)}`);
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        // 64 MiB if the server read it all; it must stop after 256 KiB.
        if (pushed++ >= 4096) ctrl.close();
        else ctrl.enqueue(chunk);
      },
    });
    const res = await fetch(`${s.url}/api/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/request body too large/);
    expect(pushed).toBeLessThan(4096);
  });

  it("rejects a message to itself and an unknown traffic pattern", async () => {
    expect((await s.api("POST", "/api/messages", { from: n1, to: n1, content: "x" })).status).toBe(400);
    const t = await s.api("POST", "/api/traffic", { pattern: "tornado" });
    expect(t.status).toBe(400);
    expect(t.body.error).toMatch(/pattern/);
  });

  it("answers an unknown API route with a JSON 404", async () => {
    const r = await s.api("GET", "/api/nope");
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/no API route/);
  });

  it("still works after all that: content with unicode and quotes arrives intact", async () => {
    const content = `héllo "wörld" \\ 🚀 {send, x, y}`;
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: n1, to: n2, content });
    expect(r.status).toBe(202);
    const m = await waitFor("acked", async () => {
      const m = (await s.api<MessageDTO>("GET", `/api/messages/${r.body.ids[0]}`)).body;
      return m.status === "acked" ? m : undefined;
    });
    expect(m.content).toBe(content);
  });
});
