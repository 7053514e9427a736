// `npm run bench`: measures, in one run on this machine, the raw Erlang distribution baseline and
// Swarmscope with full accounting, the latency from send to visible in Chromium, deploy times and
// the server's memory after 1M messages, the page's frame rate with 50 nodes under a storm (bench-fps.ts).
// Writes bench/results.json. Timings are printed, never asserted.
// `npm run bench -- --only fps`: only the frame rates (needs `next build`); merged into the results file.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import type { ClusterDTO, StatsDTO } from "../lib/contracts/http-replies";
import { fpsUnderStorm } from "./bench-fps";
import { type ServerHandle, percentile, repoRoot, startServer, waitFor } from "../tests/integration/harness";
import { cluster, deploy, deployFigures } from "./bench-deploy";

const RAW_MSGS = Number(process.env.BENCH_RAW_MSGS ?? 500_000);
const ACCOUNTED_MSGS = Number(process.env.BENCH_ACCOUNTED_MSGS ?? 200_000);
const TOTAL_FOR_RSS = Number(process.env.BENCH_RSS_MSGS ?? 1_000_000);
const VISIBLE_SAMPLES = Number(process.env.BENCH_VISIBLE_SAMPLES ?? 200);

const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);

async function rawBaseline(): Promise<{ rawMsgsPerSec: number; rttP50Us: number; rttP99Us: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ss-bench-"));
  fs.writeFileSync(path.join(home, ".erlang.cookie"), `BENCH${Date.now()}`, { mode: 0o400 });
  const ebin = path.join(repoRoot, "erlang", "ebin");
  const env = { ...process.env, HOME: home };
  const tag = process.pid;
  const sink: ChildProcess = spawn("erl", ["-noshell", "-noinput", "-name", `rawsink${tag}@127.0.0.1`, "-pa", ebin, "-eval", "swarmscope_bench:sink()"], { env, stdio: "ignore" });
  try {
    const out = execFileSync(
      "erl",
      ["-noshell", "-name", `rawsrc${tag}@127.0.0.1`, "-pa", ebin, "-eval", `swarmscope_bench:run('rawsink${tag}@127.0.0.1', ${RAW_MSGS}), halt().`],
      { env, encoding: "utf8", timeout: 180_000 },
    );
    const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop()!;
    return JSON.parse(line);
  } finally {
    sink.kill("SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function stats(s: ServerHandle) {
  return (await s.api<StatsDTO>("GET", "/api/stats")).body;
}

/** Sends `count` messages n1 → n2 from a generator inside n1; seconds until all are accounted. */
async function accounted(s: ServerHandle, from: string, to: string, count: number, pattern: "one" | "ring" = "one"): Promise<number> {
  const before = await stats(s);
  const t0 = Date.now();
  const body = pattern === "one" ? { pattern, from, to, rounds: count, rate: 0 } : { pattern, rounds: count / 2, rate: 0 };
  const r = await s.api("POST", "/api/traffic", body);
  if (r.status !== 202) throw new Error(`traffic: ${JSON.stringify(r.body)}`);
  await waitFor(`${count} messages accounted`, async () => {
    const st = await stats(s);
    return st.received + st.lost - (before.received + before.lost) >= count;
  }, 600_000, 50);
  return (Date.now() - t0) / 1000;
}

async function visibleLatency(s: ServerHandle, from: string, to: string): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${s.url}/?token=${s.token}`);
    await page.getByTestId("timeline").waitFor();
    await page.waitForTimeout(1000);
    // Plain JavaScript text, so no transpiler helper (tsx adds __name) leaks into the page.
    const script = `(async ({ token, from, to, samples }) => {
      const out = [];
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        const res = await fetch("/api/messages", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer " + token },
          body: JSON.stringify({ from, to, content: "visible " + i }),
        });
        const ids = (await res.json()).ids;
        const sel = '[data-testid="timeline-row"][data-id="' + ids[0] + '"]';
        await new Promise((resolve) => {
          const seen = () => {
            const st = document.querySelector(sel)?.getAttribute("data-status");
            return st === "received" || st === "acked";
          };
          if (seen()) return resolve();
          const obs = new MutationObserver(() => { if (seen()) { obs.disconnect(); resolve(); } });
          obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
        });
        out.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      return out;
    })(${JSON.stringify({ token: s.token, from, to, samples: VISIBLE_SAMPLES })})`;
    return (await page.evaluate(script)) as number[];
  } finally {
    await browser.close();
  }
}

/** `BENCH_ONLY=visible BENCH_URL=... BENCH_TOKEN=...`: only the browser probe, against a running server with 2+ nodes up. */
async function visibleOnly() {
  const s = { url: process.env.BENCH_URL!, token: process.env.BENCH_TOKEN!, api: undefined } as unknown as ServerHandle;
  const res = await fetch(`${s.url}/api/cluster`, { headers: { authorization: `Bearer ${s.token}` } });
  const [a, b] = ((await res.json()) as ClusterDTO).nodes.filter((n) => n.status === "up").map((n) => n.name).sort();
  const vis = (await visibleLatency(s, a!, b!)).sort((x, y) => x - y);
  log(`send → visible in Chromium over ${vis.length}: p50 ${percentile(vis, 50).toFixed(1)} ms, p99 ${percentile(vis, 99).toFixed(1)} ms`);
}

/** Only the frame rates with 50 nodes: merged into bench/results.json as `fps`. */
async function fpsOnly() {
  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    await deploy(s, 50);
    const fps = await fpsUnderStorm(s, 50);
    await deploy(s, 0);
    mergeResults({ fps, fpsAt: new Date().toISOString() });
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
}

/** `--only deploy`: only the deploy figures (5, 50, 200 local replicas), merged into bench/results.json. */
async function deployOnly() {
  const s = await startServer();
  let figures: Record<string, unknown>;
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    figures = await deployFigures(s, log);
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  mergeResults({ ...figures, deployAt: new Date().toISOString() });
  console.log(JSON.stringify(figures, null, 2));
}

function mergeResults(figures: Record<string, unknown>) {
  const file = path.join(repoRoot, "bench", "results.json");
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...previous, ...figures }, null, 2) + "\n");
  log(`merged ${Object.keys(figures).join(", ")} into bench/results.json`);
}

function only(): string | undefined {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? process.argv[i + 1] : process.env.BENCH_ONLY;
}

async function main() {
  if (only() === "visible") return visibleOnly();
  if (only() === "fps") return fpsOnly();
  if (only() === "deploy") return deployOnly();
  const results: Record<string, unknown> = {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version },
    at: new Date().toISOString(),
  };
  log(`raw Erlang distribution: ${RAW_MSGS} one-way messages between two nodes...`);
  const raw = await rawBaseline();
  Object.assign(results, { rawMsgsPerSec: raw.rawMsgsPerSec, rawRttP50Us: raw.rttP50Us, rawRttP99Us: raw.rttP99Us });
  log(`raw: ${raw.rawMsgsPerSec} msgs/s, round trip p50 ${raw.rttP50Us} µs, p99 ${raw.rttP99Us} µs`);

  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    Object.assign(results, await deployFigures(s, log));
    await deploy(s, 50);
    results.fps = await fpsUnderStorm(s, 50);
    await deploy(s, 0);
    await deploy(s, 2);
    const [a, b] = (await cluster(s)).nodes.map((n) => n.name).sort() as [string, string];

    const secs = await accounted(s, a, b, ACCOUNTED_MSGS);
    results.accountedMsgsPerSec = Math.round(ACCOUNTED_MSGS / secs);
    results.throughputRatio = Math.round(((results.accountedMsgsPerSec as number) / raw.rawMsgsPerSec) * 1000) / 1000;
    log(`accounted: ${ACCOUNTED_MSGS} messages n1→n2 in ${secs} s = ${results.accountedMsgsPerSec} msgs/s (ratio ${results.throughputRatio})`);

    const vis = (await visibleLatency(s, a, b)).sort((x, y) => x - y);
    results.visibleLatencyMsP50 = Math.round(percentile(vis, 50) * 10) / 10;
    results.visibleLatencyMsP99 = Math.round(percentile(vis, 99) * 10) / 10;
    log(`send → visible in Chromium over ${vis.length}: p50 ${results.visibleLatencyMsP50} ms, p99 ${results.visibleLatencyMsP99} ms`);

    const sentSoFar = (await stats(s)).sent;
    const remaining = Math.max(0, TOTAL_FOR_RSS - sentSoFar);
    if (remaining > 0) {
      const t = await accounted(s, a, b, remaining - (remaining % 2), "ring");
      log(`ring traffic of ${remaining} more messages accounted in ${t} s`);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const health = (await s.api<{ memory?: { rssMiB: number } }>("GET", "/api/health")).body;
    results.rssAfter1MMiB = health.memory?.rssMiB;
    results.messagesAtRss = (await stats(s)).sent;
    log(`server RSS after ${results.messagesAtRss} messages: ${results.rssAfter1MMiB} MiB`);
    await deploy(s, 0);
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(repoRoot, "bench"), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");
  log(`wrote bench/results.json`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
