import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { checkReply, findRoute } from "../../lib/contracts/route-match";
import { percentile as nearestRankPercentile } from "../../lib/percentile";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/**
 * A reply that breaks the contract in lib/contracts (a status the route does not list, or a body
 * its schema rejects). api() throws it, so the test that made the call fails; waitFor() does not
 * retry it.
 */
/** Every process on the machine: pid, parent pid and command line (`ps -eo pid,ppid,args`). */
export async function processes(): Promise<{ pid: number; ppid: number; args: string }[]> {
  const { stdout } = await promisify(execFile)("ps", ["-eo", "pid=,ppid=,args="], { maxBuffer: 16 * 2 ** 20 });
  return stdout.split("\n").flatMap((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(l);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }] : [];
  });
}

export class ContractViolation extends Error {
  override readonly name = "ContractViolation";
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      if (err instanceof ContractViolation) throw err;
      last = err;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ServerHandle {
  url: string;
  token: string;
  dataDir: string;
  proc: ChildProcess;
  output: string[];
  /** Every reply api() checked: the route pattern it fell under (null: no route) and its status. */
  checked: { method: string; route: string | null; status: number }[];
  /** Calls the API; the reply is checked against the contract's route table (ContractViolation). */
  api<T = any>(method: string, p: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Runs the real dashboard (production build, custom server) on its own port and data folder. */
export async function startServer(opts: { dataDir?: string; port?: number; env?: Record<string, string> } = {}): Promise<ServerHandle> {
  const port = opts.port ?? (await freePort());
  const token = `it-${Math.random().toString(36).slice(2)}-token`;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(repoRoot, ".data-it-"));
  const output: string[] = [];
  const checked: ServerHandle["checked"] = [];
  const proc = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), SWARMSCOPE_TOKEN: token, SWARMSCOPE_DATA: dataDir, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 500) output.shift();
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const api: ServerHandle["api"] = async (method, p, body, tok = token) => {
    const res = await fetch(url + p, {
      method,
      headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    const verdict = checkReply({ method, url: p, status: res.status, contentType: res.headers.get("content-type"), body: parsed });
    checked.push({ method, route: findRoute(method, new URL(url + p).pathname)?.route.path ?? null, status: res.status });
    if (!verdict.ok) throw new ContractViolation(verdict.problem);
    return { status: res.status, body: parsed };
  };
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  await waitFor(
    "the server to answer /api/health",
    async () => {
      if (proc.exitCode !== null) throw new Error(`server exited: ${output.join("").slice(-2000)}`);
      const r = await fetch(`${url}/api/health`).catch(() => null);
      return r?.ok;
    },
    90_000,
    250,
  );
  return {
    url,
    token,
    dataDir,
    proc,
    output,
    checked,
    api,
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * The environment of a plain `erl` that joins the dashboard's nodes: the data folder's private
 * HOME, whose .erlang.cookie erl reads. Never `-setcookie <cookie>`: a command line is readable by
 * every user of the machine (ps).
 */
export function erlangEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: path.join(dataDir, "erlang-home") };
  return env as NodeJS.ProcessEnv;
}

export function short(name: string): string {
  return name.split("@")[0]!.split("-")[0]!;
}

/** The nearest-rank percentile of ascending values (lib/percentile.ts); NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  return nearestRankPercentile(sorted, p) ?? NaN;
}
