// Kill → shown down in Chromium: the page asks the API to kill a replica and times until that
// node's disc in the topology says `data-status="down"`; median of five kills, each of a node that
// is up (the replica is restarted by the runtime before the next). Split into the kill call's
// answer and the `cluster` frame that carried the down status (a WebSocket listener in the page).
import fs from "node:fs";
import type { ClusterDTO } from "../lib/contracts/http-replies";
import { type ServerHandle, percentile, startServer, waitFor } from "../tests/integration/harness";
import { probeSwarm, randomId, removeStackLeftovers } from "../tests/swarm/helpers";
import { launchChromium, wsTap } from "./chromium";

const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);

export interface KillResult {
  kills: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Medians: the kill call answered; the cluster frame with the node down reached the page. */
  answeredMs: number;
  frameMs: number;
}

const WS_TAP = wsTap(`d.startsWith('42["cluster"')`, "performance.now()");

// Plain JavaScript text, so no transpiler helper leaks into the page.
const PROBE = `(async ({ token, name }) => {
  window.__benchFrames.length = 0;
  const sel = '[data-name="' + name + '"]';
  const down = () => document.querySelector(sel)?.getAttribute("data-status") === "down";
  const t0 = performance.now();
  let answered = NaN;
  const res = fetch("/api/nodes/" + encodeURIComponent(name) + "/kill", { method: "POST", headers: { authorization: "Bearer " + token } })
    .then((r) => { answered = performance.now() - t0; return r.status; });
  await new Promise((resolve) => {
    if (down()) return resolve();
    const obs = new MutationObserver(() => { if (down()) { obs.disconnect(); resolve(); } });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
  });
  const total = performance.now() - t0;
  const status = await res;
  let frame = NaN;
  for (const [at, data] of window.__benchFrames) {
    const c = JSON.parse(data.slice(2))[1];
    if (c.nodes.some((n) => n.name === name && n.status === "down")) { frame = at - t0; break; }
  }
  return { total, answered, frame, status };
})`;

async function upNodes(s: ServerHandle): Promise<string[]> {
  const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  return c.nodes.filter((n) => n.status === "up").map((n) => n.name).sort();
}

const med = (xs: number[]) => percentile([...xs].filter(Number.isFinite).sort((a, b) => a - b), 50);
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Needs a running server (production build) with `nodes` replicas up; the runtime restarts what is killed. */
export async function killToDownUi(s: ServerHandle, nodes: number): Promise<KillResult> {
  const browser = await launchChromium();
  const totals: number[] = [];
  const answered: number[] = [];
  const frames: number[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(WS_TAP);
    await page.goto(`${s.url}/?token=${s.token}`);
    for (let i = 0; i < KILLS; i++) {
      const up = await waitFor(`${nodes} nodes up`, async () => {
        const list = await upNodes(s);
        return list.length >= nodes ? list : undefined;
      }, 120_000, 100);
      const name = up[i % up.length]!;
      await page.waitForSelector(`[data-name="${name}"][data-status="up"]`, { timeout: 30_000 });
      await page.waitForTimeout(500);
      const r = (await page.evaluate(`${PROBE}(${JSON.stringify({ token: s.token, name })})`)) as { total: number; answered: number; frame: number; status: number };
      if (r.status !== 202) throw new Error(`kill ${name}: HTTP ${r.status}`);
      totals.push(r.total);
      answered.push(r.answered);
      frames.push(r.frame);
    }
  } finally {
    await browser.close();
  }
  return {
    kills: totals.length,
    medianMs: r1(med(totals)),
    minMs: r1(Math.min(...totals)),
    maxMs: r1(Math.max(...totals)),
    answeredMs: r1(med(answered)),
    frameMs: r1(med(frames)),
  };
}

/** On Docker Swarm, where an engine in swarm mode answers: its own stack, 5 replicas, removed after. */
export async function killToDownUiSwarm(): Promise<KillResult | undefined> {
  const probe = await probeSwarm();
  if (!probe.ok) {
    log(`kill → down on Swarm: skipped (${probe.reason})`);
    return undefined;
  }
  const stack = randomId("benchui");
  const s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack } });
  try {
    // The bridge container needs the node image: built here when missing (minutes on a fresh machine).
    await waitFor("the Swarm bridge up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 600_000, 250);
    const r = await s.api("PUT", "/api/cluster", { replicas: 5 });
    if (r.status !== 202) throw new Error(`deploy 5 on Swarm: ${JSON.stringify(r.body)}`);
    return await killToDownUi(s, 5);
  } finally {
    await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
    await removeStackLeftovers(stack, [`${stack}_cookie`]);
  }
}

/** `npm run bench -- --only kill`: local (5 replicas, own server), then Swarm; merged into bench/results.json. */
export async function killOnly(file: string): Promise<void> {
  const s = await startServer();
  let local: KillResult;
  try {
    await waitFor("bridge up", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 60_000);
    await s.api("PUT", "/api/cluster", { replicas: 5 });
    local = await killToDownUi(s, 5);
    await s.api("PUT", "/api/cluster", { replicas: 0 });
  } finally {
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  logKill("local", local);
  const swarm = await killToDownUiSwarm();
  if (swarm) logKill("Swarm", swarm);
  const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const add = { killToDownUiMs: local.medianMs, killToDownUi: local, ...(swarm ? { killToDownUiMsSwarm: swarm.medianMs, killToDownUiSwarm: swarm } : {}) };
  fs.writeFileSync(file, JSON.stringify({ ...results, ...add, killAt: new Date().toISOString() }, null, 2) + "\n");
}

export function logKill(where: string, k: KillResult): void {
  log(
    `kill → shown down in Chromium (${where}), median of ${k.kills}: ${k.medianMs} ms (${k.minMs}–${k.maxMs}); ` +
      `kill call answered ${k.answeredMs} ms, cluster frame at the page ${k.frameMs} ms`,
  );
}
