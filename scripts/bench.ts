// `npm run bench`: measures, in one run on this machine, the raw Erlang distribution baseline and
// Swarmscope with full accounting side by side (throughputRatio, diskBytesPerMsg, rssCurveMiB:
// bench-books.ts), the latency from send to visible in Chromium, deploy times (bench-deploy.ts),
// the page's frame rate with 50 and 200 nodes under a storm (bench-fps.ts), kill → shown down in
// Chromium, locally and on Swarm where it runs (bench-kill.ts). Writes bench/results.json.
// Timings are printed, never asserted.
// `npm run bench -- --only books|fps|kill|visible|deploy`: only those figures (needs `next build`);
// merged into the results file (visible only prints; BENCH_TRACE=1 adds the server's hops).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ClusterDTO } from "../lib/contracts/http-replies";
import { accountedRun, booksFigures } from "./bench-books";
import { cluster, deploy, deployFigures, meshWhole } from "./bench-deploy";
import { fps200, fpsUnderStorm } from "./bench-fps";
import { killOnly, killToDownUi, killToDownUiSwarm, logKill } from "./bench-kill";
import { visibleLatency } from "./bench-visible";
import { type ServerHandle, repoRoot, startServer, waitFor } from "../tests/integration/harness";

const RAW_MSGS = Number(process.env.BENCH_RAW_MSGS ?? 500_000);
const ACCOUNTED_MSGS = Number(process.env.BENCH_ACCOUNTED_MSGS ?? 500_000);
const RSS_STEPS = (process.env.BENCH_RSS_STEPS ?? "1000000,2000000,4000000").split(",").map(Number);

const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);

/**
 * `--only visible`: only the browser probe. With `BENCH_URL` and `BENCH_TOKEN`, against that running
 * server (2+ nodes up); otherwise it starts its own server with 2 local replicas.
 */
async function visibleOnly() {
  const own = process.env.BENCH_URL ? null : await startServer({ env: { SWARMSCOPE_TRACE: process.env.BENCH_TRACE === "1" ? "1" : "0" } });
  try {
    const s = own ?? ({ url: process.env.BENCH_URL!, token: process.env.BENCH_TOKEN! } as ServerHandle);
    if (own) {
      await waitFor("bridge up", async () => (await cluster(own)).bridge.status === "up");
      await deploy(own, 2);
    }
    const res = await fetch(`${s.url}/api/cluster`, { headers: { authorization: `Bearer ${s.token}` } });
    const [a, b] = ((await res.json()) as ClusterDTO).nodes.filter((n) => n.status === "up").map((n) => n.name).sort();
    // As in the full run, where the probe follows the accounted traffic: the browser then holds its 5,000 messages.
    const prefill = Number(process.env.BENCH_VISIBLE_PREFILL ?? 20_000);
    if (own && prefill > 0) await accountedRun(own, a!, b!, prefill);
    const vis = await visibleLatency(s, a!, b!);
    log(`send → visible in Chromium over ${vis.samples}: p50 ${vis.p50} ms, p99 ${vis.p99} ms; hop medians ${JSON.stringify(vis.hops)}`);
  } finally {
    if (own) {
      await own.stop();
      fs.rmSync(own.dataDir, { recursive: true, force: true });
    }
  }
}

const RESULTS = path.join(repoRoot, "bench", "results.json");

/** 200 replicas, the dashboard's frame rate during a storm; then back to none. */
async function measureFps200(s: ServerHandle): Promise<Record<string, unknown>> {
  const deploy200S = await deploy(s, 200);
  log(`deploy 200 local replicas → all up: ${deploy200S} s`);
  const mesh = await meshWhole(s, 600, log);
  log(`200 nodes: mesh ${mesh.links} of ${mesh.full} links ${mesh.secs} s after all up`);
  const r = await fps200(s);
  await deploy(s, 0);
  return { fps200: r.storm.fps, fps200Detail: r, mesh200S: mesh.secs, mesh200Links: mesh.links };
}

/** Only the frame rates with 50 nodes (`fps`) and 200 (`fps200`, unless BENCH_FPS200=0): merged into bench/results.json. */
async function fpsOnly() {
  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    let fps;
    if (process.env.BENCH_FPS50 !== "0") {
      await deploy(s, 50);
      fps = await fpsUnderStorm(s, 50);
      await deploy(s, 0);
    }
    const more = process.env.BENCH_FPS200 === "0" ? {} : await measureFps200(s);
    mergeResults({ ...(fps ? { fps } : {}), ...more, fpsAt: new Date().toISOString() });
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

function machine(): Record<string, unknown> {
  return {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version },
    at: new Date().toISOString(),
  };
}

/** `--only books`: the books' figures alone (raw baseline, accounted ratio, disk, RSS curve), merged into the results file. */
async function booksOnly() {
  const figures: Record<string, unknown> = machine();
  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    await deploy(s, 2);
    await booksFigures(s, figures, { rawMsgs: RAW_MSGS, accountedMsgs: ACCOUNTED_MSGS, rssSteps: RSS_STEPS });
    await deploy(s, 0);
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  mergeResults(figures);
}

function only(): string | undefined {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? process.argv[i + 1] : process.env.BENCH_ONLY;
}

async function main() {
  if (only() === "visible") return visibleOnly();
  if (only() === "fps") return fpsOnly();
  if (only() === "deploy") return deployOnly();
  if (only() === "kill") return killOnly(RESULTS);
  if (only() === "books") return booksOnly();
  const results: Record<string, unknown> = machine();

  const s = await startServer();
  try {
    await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
    Object.assign(results, await deployFigures(s, log));
    await deploy(s, 5);
    results.killToDownUi = await killToDownUi(s, 5);
    results.killToDownUiMs = (results.killToDownUi as { medianMs: number }).medianMs;
    logKill("local", results.killToDownUi as Awaited<ReturnType<typeof killToDownUi>>);
    await deploy(s, 0);
    await deploy(s, 50);
    results.fps = await fpsUnderStorm(s, 50);
    await deploy(s, 0);
    Object.assign(results, await measureFps200(s));
    await deploy(s, 2);
    const [a, b] = (await cluster(s)).nodes.filter((n) => n.status === "up").map((n) => n.name).sort() as [string, string];

    await booksFigures(s, results, { rawMsgs: RAW_MSGS, accountedMsgs: ACCOUNTED_MSGS, rssSteps: RSS_STEPS });

    const vis = await visibleLatency(s, a, b);
    results.visibleLatencyMsP50 = vis.p50;
    results.visibleLatencyMsP99 = vis.p99;
    results.visibleLatencyHops = vis.hops;
    log(`send → visible in Chromium over ${vis.samples}: p50 ${vis.p50} ms, p99 ${vis.p99} ms; hop medians ${JSON.stringify(vis.hops)}`);

    await deploy(s, 0);
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  const swarm = await killToDownUiSwarm();
  if (swarm) {
    Object.assign(results, { killToDownUiMsSwarm: swarm.medianMs, killToDownUiSwarm: swarm });
    logKill("Swarm", swarm);
  }
  fs.mkdirSync(path.join(repoRoot, "bench"), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2) + "\n");
  log(`wrote bench/results.json`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
