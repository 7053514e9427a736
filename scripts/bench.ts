// `npm run bench`: measures, in one run on this machine, the raw Erlang distribution baseline and
// Swarmscope with full accounting side by side (throughputRatio, diskBytesPerMsg, rssCurveMiB:
// scripts/bench-books.ts), the latency from send to visible in Chromium and deploy times. Writes
// bench/results.json. `--only books` runs the books' figures alone (merged into the file);
// `--only visible` (with BENCH_URL, BENCH_TOKEN) the browser probe. Timings are printed, never asserted.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import type { ClusterDTO } from "../lib/contracts/http-replies";
import { type ServerHandle, percentile, repoRoot, startServer, waitFor } from "../tests/integration/harness";
import { booksFigures } from "./bench-books";

const RAW_MSGS = Number(process.env.BENCH_RAW_MSGS ?? 500_000);
const ACCOUNTED_MSGS = Number(process.env.BENCH_ACCOUNTED_MSGS ?? 500_000);
const RSS_STEPS = (process.env.BENCH_RSS_STEPS ?? "1000000,2000000,4000000").split(",").map(Number);
const VISIBLE_SAMPLES = Number(process.env.BENCH_VISIBLE_SAMPLES ?? 200);
const ONLY = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : process.env.BENCH_ONLY;

const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);

async function cluster(s: ServerHandle) {
  return (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
}

async function deploy(s: ServerHandle, n: number): Promise<number> {
  const r = await s.api("PUT", "/api/cluster", { replicas: n });
  if (r.status !== 202) throw new Error(`deploy ${n}: ${JSON.stringify(r.body)}`);
  const p = await waitFor(`deploy ${n} done`, async () => {
    const c = await cluster(s);
    return c.progress?.done && c.progress.target === n ? c.progress : undefined;
  }, 300_000, 50);
  if (p.error) throw new Error(p.error);
  return (p.finishedAt! - p.startedAt) / 1000;
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

const resultsFile = path.join(repoRoot, "bench", "results.json");

function machine(): Record<string, unknown> {
  return {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version },
    at: new Date().toISOString(),
  };
}

function write(results: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + "\n");
  log(`wrote bench/results.json`);
  console.log(JSON.stringify(results, null, 2));
}

/** `--only books`: the books' figures alone, merged into the results file. */
async function booksOnly() {
  const results: Record<string, unknown> = { ...(fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, "utf8")) : {}), ...machine() };
  // Figures of the per-message accounting, replaced by rssCurveMiB.
  delete results.rssAfter1MMiB;
  delete results.messagesAtRss;
  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    await deploy(s, 2);
    await booksFigures(s, results, { rawMsgs: RAW_MSGS, accountedMsgs: ACCOUNTED_MSGS, rssSteps: RSS_STEPS });
    await deploy(s, 0);
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  write(results);
}

async function main() {
  if (ONLY === "visible") return visibleOnly();
  if (ONLY === "books") return booksOnly();
  const results: Record<string, unknown> = machine();
  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    results.deploy5S = await deploy(s, 5);
    log(`deploy 5 local replicas → all up: ${results.deploy5S} s`);
    await deploy(s, 0);
    results.deploy50S = await deploy(s, 50);
    log(`deploy 50 local replicas → all up: ${results.deploy50S} s`);
    await deploy(s, 0);
    await deploy(s, 2);
    const [a, b] = (await cluster(s)).nodes.map((n) => n.name).sort() as [string, string];

    await booksFigures(s, results, { rawMsgs: RAW_MSGS, accountedMsgs: ACCOUNTED_MSGS, rssSteps: RSS_STEPS });

    const vis = (await visibleLatency(s, a, b)).sort((x, y) => x - y);
    results.visibleLatencyMsP50 = Math.round(percentile(vis, 50) * 10) / 10;
    results.visibleLatencyMsP99 = Math.round(percentile(vis, 99) * 10) / 10;
    log(`send → visible in Chromium over ${vis.length}: p50 ${results.visibleLatencyMsP50} ms, p99 ${results.visibleLatencyMsP99} ms`);

    await deploy(s, 0);
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  write(results);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
