// The books' figures of `npm run bench` (issue 13): throughputRatio (accounted through the real
// server ÷ raw Erlang distribution, raw the median of three runs around the accounted one),
// diskBytesPerMsg (SQLite file growth ÷ accounted messages) and rssCurveMiB (server RSS at 1M,
// 2M, 4M accounted messages). Every accounted run is checked exactly: sent = received + lost +
// inFlight, nothing in flight, and the books equal to the nodes' own counters (reconciled).
// Timings are printed, never asserted.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ClusterDTO, FullHealthReply, StatsDTO, TrafficState } from "../lib/contracts/http-replies";
import { type ServerHandle, repoRoot, waitFor } from "../tests/integration/harness";

const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);

/** One raw baseline: N one-way messages between two plain erl nodes, no Swarmscope in the path. */
export function rawRun(msgs: number): { rawMsgsPerSec: number; rttP50Us: number; rttP99Us: number } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ss-bench-"));
  fs.writeFileSync(path.join(home, ".erlang.cookie"), `BENCH${Date.now()}`, { mode: 0o400 });
  const ebin = path.join(repoRoot, "erlang", "ebin");
  const env = { ...process.env, HOME: home };
  const tag = `${process.pid}x${Math.floor(Math.random() * 1e6)}`;
  const sink = spawn("erl", ["-noshell", "-noinput", "-name", `rawsink${tag}@127.0.0.1`, "-pa", ebin, "-eval", "swarmscope_bench:sink()"], { env, stdio: "ignore" });
  try {
    const out = execFileSync("erl", ["-noshell", "-name", `rawsrc${tag}@127.0.0.1`, "-pa", ebin, "-eval", `swarmscope_bench:run('rawsink${tag}@127.0.0.1', ${msgs}), halt().`], {
      env, encoding: "utf8", timeout: 180_000,
    });
    return JSON.parse(out.trim().split("\n").filter((l) => l.startsWith("{")).pop()!);
  } finally {
    sink.kill("SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const stats = async (s: ServerHandle) => (await s.api<StatsDTO>("GET", "/api/stats")).body;

/** Waits until nothing is in flight and every node's own counters match the books; throws otherwise. */
export async function checkedExact(s: ServerHandle, nodes: number, what: string): Promise<StatsDTO> {
  const st = await waitFor(`${what}: the books settled and reconciled`, async () => {
    const x = await stats(s);
    const r = x.reconciled;
    return x.inFlight === 0 && r.ok && r.nodes === nodes && r.pairs >= nodes * (nodes - 1) ? x : undefined;
  }, 600_000, 250);
  const balanced = st.sent === st.received + st.lost + st.inFlight && Object.values(st.perNode).every((p) => p.sent === p.received + p.lost + p.inFlight);
  if (!balanced) throw new Error(`${what}: sent ≠ received + lost + inFlight: ${JSON.stringify(st)}`);
  log(`${what}: exact — sent ${st.sent} = received ${st.received} + lost ${st.lost} + in flight 0; ${st.reconciled.pairs} pair checks equal to the nodes' counters`);
  return st;
}

/** `count` bulk messages a → b as fast as the generator goes; seconds until the server has every reception. */
export async function accountedRun(s: ServerHandle, a: string, b: string, count: number, pollMs = 20): Promise<number> {
  const before = await stats(s);
  const t0 = Date.now();
  // A run sends at most 1,000,000 (rounds' limit): longer ones run back to back.
  for (let left = count; left > 0; ) {
    const n = Math.min(left, 1_000_000);
    const goal = before.received + count - left + n;
    const r = await s.api<{ traffic: TrafficState }>("POST", "/api/traffic", { pattern: "one", from: a, to: b, rounds: n, rate: 0 });
    if (r.status !== 202) throw new Error(`traffic: ${JSON.stringify(r.body)}`);
    await waitFor(`${n} messages accounted`, async () => (await stats(s)).received >= goal, 600_000, pollMs);
    left -= n;
  }
  return (Date.now() - t0) / 1000;
}

function dbBytes(dataDir: string): number {
  return ["swarmscope.db", "swarmscope.db-wal"].reduce((a, f) => a + (fs.existsSync(path.join(dataDir, f)) ? fs.statSync(path.join(dataDir, f)).size : 0), 0);
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** The figures, on a server with 2 replicas up; written into `results`. */
export async function booksFigures(s: ServerHandle, results: Record<string, unknown>, opts: { rawMsgs: number; accountedMsgs: number; rssSteps: number[] }): Promise<void> {
  const [a, b] = (await s.api<ClusterDTO>("GET", "/api/cluster")).body.nodes.filter((n) => n.status === "up").map((n) => n.name).sort() as [string, string];
  const raws: number[] = [];
  const raw = () => {
    const r = rawRun(opts.rawMsgs);
    raws.push(r.rawMsgsPerSec);
    log(`raw Erlang distribution: ${r.rawMsgsPerSec} msgs/s one way (round trip p50 ${r.rttP50Us} µs, p99 ${r.rttP99Us} µs)`);
    return r;
  };
  const first = raw();
  const secs = await accountedRun(s, a, b, opts.accountedMsgs);
  const accounted = Math.round(opts.accountedMsgs / secs);
  raw();
  raw();
  await checkedExact(s, 2, `accounted run of ${opts.accountedMsgs}`);
  const rawMedian = median(raws);
  Object.assign(results, {
    rawMsgsPerSec: rawMedian, rawRuns: raws, rawRttP50Us: first.rttP50Us, rawRttP99Us: first.rttP99Us,
    accountedMsgsPerSec: accounted, throughputRatio: Math.round((accounted / rawMedian) * 1000) / 1000,
  });
  log(`accounted through the server: ${opts.accountedMsgs} messages in ${secs} s = ${accounted} msgs/s; ratio ${results.throughputRatio} of the raw median ${rawMedian}`);

  const rss: Record<string, number> = {};
  const diskStart = dbBytes(s.dataDir);
  const msgsStart = (await stats(s)).received;
  for (const target of opts.rssSteps) {
    const have = (await stats(s)).received;
    // Polled gently: each HTTP call is work (and garbage) in the very process being measured.
    if (target > have) await accountedRun(s, a, b, target - have, 500);
    const st = await checkedExact(s, 2, `${target} accounted`);
    // Read once the server has been quiet for a while: what it keeps, not the garbage of the
    // last seconds' traffic that the next collection frees (V8 shrinks the heap when idle).
    await new Promise((res) => setTimeout(res, 12_000));
    const h = (await s.api<FullHealthReply>("GET", "/api/health")).body;
    rss[`${Math.round(target / 1e6)}M`] = h.memory.rssMiB;
    log(`server RSS at ${st.received} accounted messages: ${h.memory.rssMiB} MiB (JavaScript heap ${h.memory.heapUsedMiB} MiB, external ${h.memory.externalMiB} MiB)`);
  }
  const accountedSince = (await stats(s)).received - msgsStart;
  const diskBytesPerMsg = Math.round(((dbBytes(s.dataDir) - diskStart) / accountedSince) * 100) / 100;
  Object.assign(results, { rssCurveMiB: rss, diskBytesPerMsg, diskMsgs: accountedSince });
  log(`SQLite file growth: ${diskBytesPerMsg} bytes per accounted message over ${accountedSince} messages`);
}
