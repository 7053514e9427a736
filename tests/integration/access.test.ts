import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VIEW_TOKEN_REFUSAL } from "../../lib/contracts/common";
import type { ClusterDTO } from "../../lib/contracts/http-replies";
import { buildPath } from "../../lib/contracts/route-match";
import { type RouteContract, routeList } from "../../lib/contracts/routes";
import { repoRoot, type ServerHandle, startServer, waitFor } from "./harness";

// The access suite (issue 11): every way in without the right credential is refused with the
// right status, on every route of the contract and on the socket.io handshake; the read-only view
// token reads everything and controls nothing; control calls are rate-limited; the server refuses
// to start in an unsafe configuration.

const VIEW = `view-${Math.random().toString(36).slice(2)}-token`;
/** Bodies a route would accept: refused anyway, it proves the check comes before the action. */
const BODY: Record<string, unknown> = {
  "PUT /api/cluster": { replicas: 2 },
  "POST /api/runtime": {},
  "POST /api/messages": { from: "n1@127.0.0.1", to: "*", content: "x" },
  "POST /api/traffic": { pattern: "ring", rounds: 1 },
};
const authed = routeList.filter((r) => r.auth);
const pathOf = (r: RouteContract) => buildPath(r, { name: "n1-x@127.0.0.1", id: "m1", run: "r1" });
const call = (s: ServerHandle, r: RouteContract, token: string | null, suffix = "") =>
  s.api(r.method, pathOf(r) + suffix, r.method === "GET" ? undefined : (BODY[`${r.method} ${r.path}`] ?? {}), token);

describe("access: tokens, the view token, the socket handshake", () => {
  let s: ServerHandle;

  beforeAll(async () => {
    s = await startServer({ env: { SWARMSCOPE_VIEW_TOKEN: VIEW } });
  });
  afterAll(async () => {
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("no token: 401 on every route that needs one", async () => {
    for (const r of authed) {
      const res = await call(s, r, null);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.error).toMatch(/missing access token/);
    }
  });

  it("a wrong token, or a Bearer-less header: 403 / 401 on every route", async () => {
    for (const r of authed) {
      expect((await call(s, r, `${s.token}x`)).status, `${r.method} ${r.path}`).toBe(403);
      const raw = await fetch(s.url + pathOf(r), { method: r.method, headers: { authorization: s.token } });
      expect(raw.status, `${r.method} ${r.path} without "Bearer"`).toBe(401);
    }
  });

  it("a token in the query string of an API call: 401, even beside a good header", async () => {
    for (const r of authed) {
      for (const [q, tok] of [[`?token=${s.token}`, null], [`?view=${VIEW}`, null], [`?access_token=${s.token}`, s.token]] as const) {
        const res = await call(s, r, tok, pathOf(r).includes("?") ? q.replace("?", "&") : q);
        expect(res.status, `${r.method} ${r.path}${q}`).toBe(401);
        expect(res.body.error).toMatch(/not accepted in the URL/);
      }
    }
  });

  it("the view token: every GET answers, every control call is a 403 saying it is read-only, nothing changes", async () => {
    for (const r of authed) {
      const res = await call(s, r, VIEW);
      if (r.method === "GET") {
        expect([200, 404], `${r.method} ${r.path}`).toContain(res.status); // 404: the made-up node or message
      } else {
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(res.body.error).toBe(VIEW_TOKEN_REFUSAL);
      }
    }
    const c = (await s.api<ClusterDTO>("GET", "/api/cluster", undefined, VIEW)).body;
    expect(c.desiredReplicas).toBe(0);
    expect((await s.api("GET", "/api/traffic", undefined, VIEW)).body).toEqual({ traffic: null });
  });

  it("/api/health: only {status: ok} without a valid token; the full health with either token", async () => {
    for (const tok of [null, "wrong-token-xyz"]) expect((await s.api("GET", "/api/health", undefined, tok)).body).toEqual({ status: "ok" });
    for (const tok of [s.token, VIEW]) expect((await s.api("GET", "/api/health", undefined, tok)).body).toMatchObject({ runtime: "local", bridge: expect.any(String) });
  });

  it("socket.io: no token or a wrong one is refused; the control and the view token get live events", async () => {
    const attempt = (auth: object, extraHeaders?: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const sock = io(s.url, { auth, transports: ["websocket"], forceNew: true, reconnection: false, extraHeaders, timeout: 5000 });
        sock.on("stats", () => (sock.disconnect(), resolve("live")));
        sock.on("connect_error", (e) => (sock.disconnect(), resolve(`refused: ${e.message}`)));
      });
    expect(await attempt({})).toMatch(/^refused: unauthorized/);
    expect(await attempt({ token: "wrong-token-xyz" })).toMatch(/^refused: unauthorized/);
    expect(await attempt({ token: [s.token] })).toMatch(/^refused: unauthorized/);
    expect(await attempt({ token: s.token })).toBe("live");
    expect(await attempt({ token: VIEW })).toBe("live");
    // A page of another site, even holding the token: refused at the handshake.
    expect(await attempt({ token: s.token }, { origin: "http://evil.example" })).toMatch(/^refused/);
    expect(await attempt({ token: s.token }, { origin: s.url })).toBe("live");
  });

  it("socket.io handshake over HTTP: a wrong Origin gets a 403, this origin or none a 200", async () => {
    const hs = (origin?: string) => fetch(`${s.url}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { origin } : {} }).then((r) => r.status);
    expect(await hs("http://evil.example")).toBe(403);
    expect(await hs("http://127.0.0.1:1")).toBe(403);
    expect(await hs("null")).toBe(403);
    expect(await hs(s.url)).toBe(200);
    expect(await hs()).toBe(200);
  });

  it("control calls are rate-limited per token (429 with Retry-After); reads are not", async () => {
    // Its own server with a low rate (5/s, bursts of 20): the default (50/s, 200) outruns this machine.
    const slow = await startServer({ env: { SWARMSCOPE_CONTROL_RATE: "5" } });
    try {
      const t0 = Date.now();
      const post = () => fetch(`${slow.url}/api/runtime`, { method: "POST", headers: { authorization: `Bearer ${slow.token}`, "content-type": "application/json" }, body: "{}" });
      const replies = await Promise.all(Array.from({ length: 60 }, post));
      const limited = replies.filter((r) => r.status === 429);
      console.log(`[measure] 60 control calls at 5/s (burst 20) in ${Date.now() - t0} ms: ${replies.length - limited.length} passed, ${limited.length} got 429`);
      expect(replies.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      expect(replies.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(20); // the burst
      expect(limited.length).toBeGreaterThan(0);
      expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await limited[0]!.json()).error).toMatch(/too many control calls: at most 5\/s per token \(bursts of 20\); retry in \d+ s/);
      const reads = await Promise.all(Array.from({ length: 200 }, () => slow.api("GET", "/api/stats")));
      expect(reads.every((r) => r.status === 200)).toBe(true);
      await waitFor("the bucket to refill", async () => (await slow.api("POST", "/api/runtime", {})).status === 200, 5000, 200);
    } finally {
      await slow.stop();
      fs.rmSync(slow.dataDir, { recursive: true, force: true });
    }
  });
});

describe("start-up refusals", () => {
  /** Runs the server entry and returns its exit code and output (it must stop before serving). */
  const start = (env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const { SWARMSCOPE_TOKEN: _, ...inherited } = process.env;
      const p = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], { cwd: repoRoot, env: { ...inherited, NODE_ENV: "production", ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (out += d));
      const t = setTimeout(() => p.kill("SIGKILL"), 30_000);
      p.on("exit", (code) => (clearTimeout(t), resolve({ code, out })));
    });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ss-refuse-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("refuses HOST=0.0.0.0 without SWARMSCOPE_TOKEN, and explains", async () => {
    const r = await start({ HOST: "0.0.0.0", SWARMSCOPE_DATA: path.join(tmp, "a") });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Swarmscope cannot start: Refusing to listen on HOST=0\.0\.0\.0 without SWARMSCOPE_TOKEN: .*reachable from other machines/);
    expect(fs.existsSync(path.join(tmp, "a"))).toBe(false); // refused before anything was created
  });

  it("refuses a data folder or cookie others can read, naming the chmod that fixes it", async () => {
    const dir = path.join(tmp, "wide");
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const r = await start({ SWARMSCOPE_DATA: dir });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Fix it with: chmod 700 ${dir}`);
    fs.chmodSync(dir, 0o700);
    fs.writeFileSync(path.join(dir, "cookie"), "ABCDEFGH", { mode: 0o644 });
    fs.chmodSync(path.join(dir, "cookie"), 0o644);
    const c = await start({ SWARMSCOPE_DATA: dir });
    expect(c.code).toBe(1);
    expect(c.out).toContain(`chmod 600 ${path.join(dir, "cookie")}`);
  });
});
