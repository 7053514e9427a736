import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO } from "../../lib/contracts/http-replies";
import { erlangEnv, processes, type ServerHandle, startServer, waitFor } from "./harness";

// The leak test (issue 11): with SWARMSCOPE_TOKEN and SWARMSCOPE_VIEW_TOKEN set, run local
// replicas and the bridge, and look everywhere a secret could surface: every process's
// environment (/proc/<pid>/environ, each replica's, the bridge's, epmd's), every command line
// (ps), an Erlang node asked for its environment as any cookie holder could, the server's output,
// the data folder's files, and the three exports.

const run = promisify(execFile);
const VIEW = `view-${Math.random().toString(36).slice(2)}-leak`;

function environ(pid: number): Record<string, string> | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/environ`, "latin1");
    return Object.fromEntries(raw.split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  } catch {
    return null; // gone, or not ours
  }
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("no secret leaks (local runtime)", () => {
  let s: ServerHandle;
  let cookie: string;
  let secrets: [string, string][];

  beforeAll(async () => {
    s = await startServer({ env: { SWARMSCOPE_VIEW_TOKEN: VIEW, SOME_CLOUD_KEY: "cloud-secret-do-not-pass" } });
    cookie = fs.readFileSync(path.join(s.dataDir, "cookie"), "utf8").trim();
    secrets = [["the control token", s.token], ["the cookie", cookie], ["the view token", VIEW], ["an unrelated secret", "cloud-secret-do-not-pass"]];
    await s.api("PUT", "/api/cluster", { replicas: 3 });
    const c = await waitFor("3 nodes up", async () => {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 3 && c.nodes.every((n) => n.status === "up") ? c : undefined;
    });
    const [a, b] = c.nodes.map((n) => n.name);
    const ids = (await s.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "leak check" })).body.ids;
    await waitFor("the message acked", async () => (await s.api<MessageDTO>("GET", `/api/messages/${ids[0]}`)).body.status === "acked");
  });
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("no replica, bridge or epmd environment holds a secret; children get the allowlist only", async () => {
    const ps = await processes();
    const children = ps.filter((p) => p.ppid === s.proc.pid);
    const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
    const replicaPids = c.nodes.map((n) => n.replica!.pid!);
    const bridge = children.find((p) => p.args.includes("swarmscope_bridge"));
    expect(bridge, "the bridge process").toBeDefined();
    expect(children.map((p) => p.pid)).toEqual(expect.arrayContaining(replicaPids));
    // epmd daemons of this PID namespace: a Swarm suite running alongside has epmd in its
    // containers, with the container's own (secret-free, checked by the Swarm leak test) variables.
    const ours = fs.readlinkSync("/proc/self/ns/pid");
    const sameNamespace = (pid: number) => { try { return fs.readlinkSync(`/proc/${pid}/ns/pid`) === ours; } catch { return false; } };
    const epmd = ps.filter((p) => /\bepmd\b/.test(p.args) && sameNamespace(p.pid)).map((p) => p.pid);
    for (const pid of [...replicaPids, bridge!.pid, ...epmd]) {
      const env = environ(pid);
      if (env === null) continue; // epmd of another user
      const text = Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n");
      for (const [what, secret] of secrets) expect(text.includes(secret), `${what} in /proc/${pid}/environ`).toBe(false);
      expect(Object.keys(env).filter((k) => k.startsWith("SWARMSCOPE_") && k !== "SWARMSCOPE_EXIT_ON_EOF"), `pid ${pid}`).toEqual([]);
    }
    expect(environ(replicaPids[0]!)!.HOME).toBe(path.join(s.dataDir, "erlang-home"));
    // And no process on the machine but the server itself holds the control token.
    const holders = ps.filter((p) => Object.values(environ(p.pid) ?? {}).some((v) => v.includes(s.token))).map((p) => p.pid);
    expect(holders).toEqual([s.proc.pid]);
    console.log(`[measure] leak check: ${replicaPids.length} replicas, the bridge and ${epmd.length} epmd checked; ${ps.length} processes scanned for the token`);
  });

  it("no command line holds a secret (ps -eo args)", async () => {
    const { stdout } = await run("ps", ["-eo", "args"], { maxBuffer: 16 * 2 ** 20 });
    for (const [what, secret] of secrets) expect(stdout.includes(secret), `${what} in ps`).toBe(false);
  });

  it("a node asked for its environment by any cookie holder tells no secret", async () => {
    const n1 = (await s.api<ClusterDTO>("GET", "/api/cluster")).body.nodes[0]!.name;
    const probe = `leakprobe${process.pid}@127.0.0.1`;
    const { stdout } = await run(
      "erl",
      ["-noshell", "-name", probe, "-eval", `pong = net_adm:ping('${n1}'), io:format("~p~n", [rpc:call('${n1}', os, getenv, [])]), halt().`],
      { env: erlangEnv(s.dataDir), timeout: 30_000 },
    );
    expect(stdout).toMatch(/"HOME=/); // it did answer
    for (const [what, secret] of secrets) expect(stdout.includes(secret), `${what} from os:getenv()`).toBe(false);
  });

  it("no log line, data file or export holds the control token or the cookie", async () => {
    const exports = await Promise.all(["json", "csv", "report"].map(async (f) => (await fetch(`${s.url}/api/export?format=${f}`, { headers: { authorization: `Bearer ${s.token}` } })).text()));
    const out = s.output.join("");
    expect(out).toMatch(/Audience \(read-only\): http:\/\/127\.0\.0\.1:\d+\/\?view=/);
    expect(out).toMatch(/Swarmscope is running: http:\/\/127\.0\.0\.1:\d+\/ {2}\(control token: your SWARMSCOPE_TOKEN\)/);
    const places: [string, string][] = [["server output", out], ...exports.map((t, i): [string, string] => [`export ${["json", "csv", "report"][i]}`, t])];
    for (const f of filesUnder(s.dataDir)) {
      if (f === path.join(s.dataDir, "cookie") || f === path.join(s.dataDir, "erlang-home", ".erlang.cookie")) continue;
      places.push([f, fs.readFileSync(f, "latin1")]);
    }
    for (const [where, text] of places) {
      expect(text.includes(s.token), `the control token in ${where}`).toBe(false);
      expect(text.includes(cookie), `the cookie in ${where}`).toBe(false);
    }
    expect(exports[0]).toContain("leak check");
  });
});
