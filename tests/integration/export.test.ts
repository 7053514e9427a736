import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, ClusterEventDTO, MessageDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { parseCsv } from "./csv-parse";
import { erlangEnv, type ServerHandle, short, startServer, waitFor } from "./harness";

const run = promisify(execFile);

const COLUMNS = ["id", "from", "to", "status", "sentAt", "receivedAt", "ackedAt", "latencyMs", "latencyKind", "reason", "seed", "content"];
const TRICKY = 'commas, "double quotes", a newline\nand a CRLF\r\nand a tab\tend';
const INVARIANT_LINE = 'Every message counted as "received" here was reported by the node it was addressed to';

interface ExportJson {
  generatedAt: number;
  deployment: string;
  runtime: string;
  cluster: ClusterDTO;
  stats: StatsDTO;
  stored: Record<string, number>;
  events: ClusterEventDTO[];
  messages: MessageDTO[];
}

/** Counts exported messages the way /api/stats counts them. */
function countLikeStats(ms: { status: string }[]) {
  const c = { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0 };
  for (const m of ms) {
    if (m.status === "failed") c.failed++;
    if (m.status === "pending" || m.status === "failed") continue;
    c.sent++;
    if (m.status === "received" || m.status === "acked") c.received++;
    if (m.status === "acked") c.acked++;
    if (m.status === "lost") c.lost++;
    if (m.status === "sent") c.inFlight++;
  }
  return c;
}

// Exports are evidence: every count in them is checked against /api/stats, on real nodes.
describe("exports: JSON, CSV and the evidence report", () => {
  let s: ServerHandle;
  let c: ClusterDTO;
  let n1 = "";
  let n2 = "";
  let n3 = "";
  let lostId = "";
  let stranger = "";
  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const stats = async () => (await s.api<StatsDTO>("GET", "/api/stats")).body;
  const get = (p: string, token: string | null = s.token) => fetch(s.url + p, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const message = async (id: string) => (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
  const send = async (from: string, to: string, content: string) => {
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from, to, content });
    expect(r.status).toBe(202);
    return r.body.ids;
  };

  beforeAll(async () => {
    s = await startServer();
    await waitFor("the bridge to be up", async () => (await cluster()).bridge.status === "up", 30_000);
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    c = await waitFor("3 nodes up and meshed", async () => {
      const x = await cluster();
      return x.nodes.length === 3 && x.nodes.every((n) => n.status === "up" && n.links.length === 2) ? x : undefined;
    });
    [n1, n2, n3] = ["n1", "n2", "n3"].map((k) => c.nodes.find((n) => short(n.name) === k)!.name) as [string, string, string];

    // Delivered traffic: one-to-one, tricky content, a formula-looking content, a broadcast.
    const ids = [
      ...(await send(n1, n2, "plain hello")),
      ...(await send(n2, n1, TRICKY)),
      ...(await send(n1, n3, "=HYPERLINK(\"http://evil\",\"x\")")),
      ...(await send(n3, "*", "to everyone")),
    ];
    expect(ids).toHaveLength(5);
    await waitFor("5 acks", async () => (await Promise.all(ids.map(message))).every((m) => m.status === "acked"));

    // A message provably in flight when its receiver dies: n3 is frozen (SIGSTOP) so it cannot
    // take the message, the sender reports sending it, then n3 is killed.
    const pid = c.nodes.find((n) => n.name === n3)!.replica!.pid!;
    process.kill(pid, "SIGSTOP");
    try {
      [lostId] = (await send(n1, n3, "into the void")) as [string];
      await waitFor("the sender to report sending", async () => (await message(lostId)).status === "sent", 10_000, 20);
      expect((await s.api("POST", `/api/nodes/${encodeURIComponent(n3)}/kill`)).status).toBe(202);
    } catch (err) {
      process.kill(pid, "SIGCONT");
      throw err;
    }
    const lost = await waitFor("the loss verdict", async () => {
      const m = await message(lostId);
      return m.status === "lost" ? m : undefined;
    });
    expect(lost.reason).toMatch(/^receiver_down \(/);
    await waitFor("n3 up again", async () => (await cluster()).nodes.filter((n) => n.status === "up").length === 3);

    // A stranger speaking only the seed protocol.
    stranger = `exportstranger${process.pid}@127.0.0.1`;
    await run("erl", ["-noshell", "-name", stranger, "-eval", `{msg, '${n1}'} ! {send, node(), <<"seed hello">>}, timer:sleep(300), halt().`], { env: erlangEnv(s.dataDir), timeout: 30_000 });
    await waitFor("the stranger's message", async () =>
      (await s.api<{ messages: MessageDTO[] }>("GET", "/api/messages?limit=50")).body.messages.some((m) => m.seed && m.from === stranger),
    );
    await waitFor("nothing in flight", async () => (await stats()).inFlight === 0);
  });

  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("needs the token and rejects bad queries with a message", async () => {
    expect((await get("/api/export?format=json", null)).status).toBe(401);
    expect((await get("/api/export?format=json", "wrong-token-value")).status).toBe(403);
    const bad = await get("/api/export?format=xml");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/format/);
    const order = await get("/api/export?since=20&until=10");
    expect(order.status).toBe(400);
    expect((await order.json()).error).toMatch(/since/);
    expect((await get("/api/export?formt=csv")).status).toBe(400);
  });

  it("JSON: parses, and its messages count exactly what /api/stats counts", async () => {
    const before = await stats();
    const res = await get("/api/export?format=json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="swarmscope-${c.deploymentId}-\\d{8}T\\d{6}Z\\.json"$`));
    const body = JSON.parse(await res.text()) as ExportJson;
    const after = await stats();
    expect(after.sent).toBe(before.sent); // quiet: nothing moved while exporting

    expect(body.deployment).toBe(c.deploymentId);
    expect(body.runtime).toBe("local");
    expect(body.cluster.nodes.map((n) => n.name).sort()).toEqual([n1, n2, n3].sort());
    const counted = countLikeStats(body.messages);
    const { sent, received, acked, lost, inFlight, failed } = after;
    expect(counted).toEqual({ sent, received, acked, lost, inFlight, failed });
    expect(body.stats).toMatchObject({ sent, received, acked, lost, inFlight, failed });
    expect(body.stored).toMatchObject({ sent, received, acked, lost, inFlight, failed });
    expect(sent).toBe(received + lost + inFlight);
    // What we did is all there: 5 delivered + 1 lost + 1 seed reception from the stranger.
    expect(sent).toBe(7);
    expect(lost).toBe(1);
    expect(body.messages.find((m) => m.id === lostId)).toMatchObject({ status: "lost", from: n1, to: n3, receivedAt: null });
    expect(body.messages.find((m) => m.content === TRICKY)).toMatchObject({ status: "acked", from: n2, to: n1 });
    expect(body.messages.find((m) => m.seed)).toMatchObject({ from: stranger, to: n1, content: "seed hello", status: "received" });
    // Per sender, too.
    for (const [node, p] of Object.entries(after.perNode)) {
      expect(countLikeStats(body.messages.filter((m) => m.from === node)), node).toMatchObject({ sent: p.sent, received: p.received, lost: p.lost, inFlight: p.inFlight });
    }
    // The events table: each node joined, n3 went down and came back.
    const ups = body.events.filter((e) => e.kind === "nodeup").map((e) => e.node);
    expect(new Set(ups)).toEqual(new Set([n1, n2, n3]));
    expect(body.events.some((e) => e.kind === "nodedown" && e.node === n3)).toBe(true);
  });

  it("JSON: a range with nothing in it exports no messages", async () => {
    const future = Date.now() + 3_600_000;
    const body = JSON.parse(await (await get(`/api/export?format=json&since=${future}`)).text()) as ExportJson;
    expect(body.messages).toEqual([]);
    expect(body.events).toEqual([]);
    expect(body.stored).toMatchObject({ sent: 0, rows: 0 });
  });

  it("CSV: parses as RFC 4180, one row per message, content round-trips, formulas are guarded", async () => {
    const st = await stats();
    const res = await get("/api/export?format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/filename="swarmscope-[a-z0-9]+-\d{8}T\d{6}Z\.csv"/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(COLUMNS);
    const recs = rows.slice(1).map((r) => {
      expect(r).toHaveLength(COLUMNS.length);
      return Object.fromEntries(COLUMNS.map((k, i) => [k, r[i]!])) as Record<string, string> & { status: string; content: string };
    });
    expect(countLikeStats(recs).sent).toBe(st.sent);
    expect(recs).toHaveLength(st.sent + st.failed);
    const tricky = recs.find((r) => r.content === TRICKY);
    expect(tricky).toMatchObject({ from: n2, to: n1, status: "acked", reason: "", seed: "false" });
    for (const k of ["sentAt", "receivedAt", "ackedAt"]) {
      expect(tricky![k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(Number.isNaN(Date.parse(tricky![k]!))).toBe(false);
    }
    expect(Number(tricky!.latencyMs)).toBeGreaterThanOrEqual(0);
    expect(tricky!.latencyKind).toBe("one-way"); // every local node shares one host, one clock
    expect(recs.find((r) => r.content.includes("HYPERLINK"))!.content).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(recs.find((r) => r.id === lostId)).toMatchObject({ status: "lost", receivedAt: "", ackedAt: "", latencyMs: "" });
    expect(recs.find((r) => r.id === lostId)!.reason).toMatch(/^receiver_down \(/);
    expect(recs.find((r) => r.seed === "true")).toMatchObject({ from: stranger, content: "seed hello", sentAt: "" });
  });

  it("report: Markdown with the numbers /api/stats reports, the checked invariant and the received line", async () => {
    const st = await stats();
    const res = await get("/api/export?format=report");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/markdown/);
    expect(res.headers.get("content-disposition")).toMatch(/filename="swarmscope-[a-z0-9]+-\d{8}T\d{6}Z\.md"/);
    const md = await res.text();
    console.log(`[report]\n${md}`);
    expect(md).toContain(INVARIANT_LINE);
    expect(md).toContain(`deployment \`${c.deploymentId}\``);
    expect(md).toContain("Runtime **local**");
    expect(md).toContain(`| sent | ${st.sent} |`);
    expect(md).toContain(`| received | ${st.received} | reported by the receiving node (${st.acked} of them also acked`);
    expect(md).toContain(`| lost | ${st.lost} |`);
    expect(md).toContain(`| in flight | ${st.inFlight} |`);
    expect(md).toContain(`sent = received + lost + in flight: ${st.sent} = ${st.received} + ${st.lost} + ${st.inFlight} — **holds**.`);
    expect(md).toContain("The live counters (/api/stats) at the same instant agree");
    // The report escapes punctuation in text (server/export-markdown.ts mdText): read it as it renders.
    const rendered = md.replace(/\\([!-/:-@[-`{-~])/g, "$1");
    expect(rendered).toMatch(/1 × receiver_down \([^)]*\) — e\.g\. `m[a-z0-9]+` n1 → n3/);
    expect(md).toMatch(/- 5 received message\(s\), latency one way, sender and receiver on the same host .*p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms/);
    expect(md).not.toContain("half the acked round trip");
    expect(md).toContain(`\`${stranger}\` (stranger)`);
    for (const n of [n1, n2, n3]) expect(md).toContain(`| \`${n}\` | \`127.0.0.1\` | up |`);
    expect(md.split("\n").length).toBeLessThan(100);
  });
});
