// The page's frame rate in Chromium with 50 nodes (and the dashboard's with 200: fps200), idle and during a 10k msgs/s storm, on the
// dashboard and the presenter view at 1920×1080 and 1280×720, with where the main thread's time
// went (Chrome's own counters). Part of `npm run bench`; alone: `npm run bench -- --only fps`.
import type { Page } from "@playwright/test";
import type { StatsDTO } from "../lib/contracts/http-replies";
import { type ServerHandle, waitFor } from "../tests/integration/harness";
import { launchChromium } from "./chromium";

const STORM_RATE = Number(process.env.BENCH_STORM_RATE ?? 10_000);
const MEASURE_MS = Number(process.env.BENCH_FPS_MS ?? 15_000);
const WARMUP_MS = 5_000;
const NO_CHARTS_MS = 8_000;

export interface FpsSample {
  fps: number;
  /** Frames that took over 25 ms (one or more frames of a 60 Hz screen missed). */
  slowFrames: number;
  worstFrameMs: number;
  /** Main thread per second of measurement, from Chrome's Performance.getMetrics. */
  scriptMsPerS: number;
  layoutMsPerS: number;
  styleMsPerS: number;
  taskMsPerS: number;
}

export interface FpsResult {
  view: string;
  viewport: string;
  nodes: number;
  idle: FpsSample;
  storm: FpsSample;
  /** The dashboard only: the same storm with the charts panel hidden (its charts then draw nothing): what the charts cost. */
  stormWithoutCharts?: FpsSample;
  stormMsgsPerS: number;
  /** Seconds from the storm's stop until every message it sent was received or lost. */
  settleS: number;
}

const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Counts animation frames for `ms` in the page, with Chrome's main-thread counters around it. */
export async function sample(page: Page, ms: number): Promise<FpsSample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const metrics = async () => {
    const { metrics: list } = await cdp.send("Performance.getMetrics");
    return Object.fromEntries(list.map((m) => [m.name, m.value])) as Record<string, number>;
  };
  const before = await metrics();
  // Plain JavaScript text, so no transpiler helper leaks into the page.
  const frames = (await page.evaluate(`new Promise((resolve) => {
    const times = [];
    const t0 = performance.now();
    const tick = (t) => {
      times.push(t);
      if (t - t0 < ${ms}) requestAnimationFrame(tick);
      else resolve(times);
    };
    requestAnimationFrame(tick);
  })`)) as number[];
  const after = await metrics();
  await cdp.detach();
  const secs = (frames[frames.length - 1]! - frames[0]!) / 1000;
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  const per = (k: string) => round1(((after[k] ?? 0) - (before[k] ?? 0)) * 1000 / secs);
  return {
    fps: round1((frames.length - 1) / secs),
    slowFrames: gaps.filter((g) => g > 25).length,
    worstFrameMs: round1(Math.max(0, ...gaps)),
    scriptMsPerS: per("ScriptDuration"),
    layoutMsPerS: per("LayoutDuration"),
    styleMsPerS: per("RecalcStyleDuration"),
    taskMsPerS: per("TaskDuration"),
  };
}

async function stats(s: ServerHandle): Promise<StatsDTO> {
  return (await s.api<StatsDTO>("GET", "/api/stats")).body;
}

/** One view at one size: idle, then during a storm; waits for the storm's messages to settle. */
async function measureView(s: ServerHandle, page: Page, view: string, nodes: number): Promise<Omit<FpsResult, "viewport">> {
  await page.goto(`${s.url}${view}?token=${s.token}`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="node-n"][data-status="up"]').length >= n, nodes, { timeout: 120_000 });
  await page.waitForTimeout(2000);
  const idle = await sample(page, 5000);
  const hasCharts = (await page.getByTestId("charts").count()) > 0;
  const stormS = Math.ceil((WARMUP_MS + MEASURE_MS + (hasCharts ? NO_CHARTS_MS : 0)) / 1000) + 8;
  const r = await s.api("POST", "/api/traffic", { pattern: "storm", rate: STORM_RATE, durationS: stormS });
  if (r.status !== 202) throw new Error(`storm: ${JSON.stringify(r.body)}`);
  await page.waitForTimeout(WARMUP_MS);
  const s0 = await stats(s);
  const storm = await sample(page, MEASURE_MS);
  const s1 = await stats(s);
  const stormMsgsPerS = Math.round(((s1.received - s0.received) * 1000) / Math.max(1, s1.at - s0.at));
  let stormWithoutCharts: FpsSample | undefined;
  if (hasCharts) {
    // Hidden, the charts measure 0 × 0 and render no recharts tree: the difference is their cost.
    const style = await page.addStyleTag({ content: '[data-testid="charts"] { display: none !important; }' });
    await page.waitForTimeout(500);
    stormWithoutCharts = await sample(page, NO_CHARTS_MS);
    await style.evaluate((el) => (el as unknown as { remove(): void }).remove());
  }
  await s.api("DELETE", "/api/traffic");
  const stopped = Date.now();
  // 200 nodes still account for a storm well after it stops (the books fall behind its 10,000 msgs/s).
  await waitFor("the storm to settle", async () => (await stats(s)).inFlight === 0, 300_000, 250);
  const settleS = round1((Date.now() - stopped) / 1000);
  return { view, nodes, idle, storm, stormWithoutCharts, stormMsgsPerS, settleS };
}

export interface FpsOptions {
  /** Pages to measure (default: the dashboard and the presenter view, or BENCH_FPS_VIEWS). */
  views?: string[];
  viewports?: (readonly [number, number])[];
}

/** Needs a running server (production build) with `nodes` replicas up. */
export async function fpsUnderStorm(s: ServerHandle, nodes: number, opts: FpsOptions = {}): Promise<FpsResult[]> {
  const browser = await launchChromium();
  const out: FpsResult[] = [];
  try {
    for (const [width, height] of opts.viewports ?? [[1920, 1080], [1280, 720]]) {
      const page = await browser.newPage({ viewport: { width, height } });
      for (const view of opts.views ?? (process.env.BENCH_FPS_VIEWS ?? "/,/present").split(",")) {
        const r = { ...(await measureView(s, page, view, nodes)), viewport: `${width}x${height}` };
        log(
          `frame rate ${r.view} ${r.viewport}, ${nodes} nodes: idle ${r.idle.fps} fps; storm (${r.stormMsgsPerS} msgs/s received) ` +
            `${r.storm.fps} fps (settled ${r.settleS} s after its stop), ${r.storm.slowFrames} frames > 25 ms (worst ${r.storm.worstFrameMs} ms), main thread per s: ` +
            `script ${r.storm.scriptMsPerS} ms, style ${r.storm.styleMsPerS} ms, layout ${r.storm.layoutMsPerS} ms, all tasks ${r.storm.taskMsPerS} ms` +
            (r.stormWithoutCharts
              ? `; charts hidden: ${r.stormWithoutCharts.fps} fps, script ${r.stormWithoutCharts.scriptMsPerS} ms/s, all tasks ${r.stormWithoutCharts.taskMsPerS} ms/s`
              : ""),
        );
        out.push(r);
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

/** fps200: the dashboard at 1920×1080 with 200 nodes, idle and during the storm. Needs 200 replicas up. */
export async function fps200(s: ServerHandle): Promise<FpsResult> {
  const [r] = await fpsUnderStorm(s, 200, { views: ["/"], viewports: [[1920, 1080]] });
  return r!;
}
