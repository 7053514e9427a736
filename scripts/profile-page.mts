// A CPU profile of the dashboard page (Chromium, 1920x1080) with N local nodes, idle, under a
// storm, or while 250 messages are sent from the page: where the page's main thread goes, by
// function, self and total. Names come from the source maps of a build made with
// SWARMSCOPE_SOURCE_MAPS=1 (`SWARMSCOPE_SOURCE_MAPS=1 npx next build`); without, minified.
//   npx tsx scripts/profile-page.mts 200 storm | npx tsx scripts/profile-page.mts 2 sends
// Options (env): PROF_TRACE=1, PROF_DOM=1, PROF_CALLERS=name, PROF_VARIANTS (see each below).
import fs from "node:fs";
import path from "node:path";
import { SourceMapConsumer } from "source-map-js";
import { startServer, waitFor } from "../tests/integration/harness";
import type { Browser, Page } from "@playwright/test";
import { cluster, deploy, meshWhole } from "./bench-deploy";
import { sample } from "./bench-fps";
import { launchChromium } from "./chromium";
const n = Number(process.argv[2] ?? 200);
const mode = process.argv[3]; // "storm", "sends", or idle
const s = await startServer();
const maps = new Map<string, SourceMapConsumer | null>();
function consumer(url: string): SourceMapConsumer | null {
  const file = url.split("/_next/")[1];
  if (!file) return null;
  if (!maps.has(file)) {
    const js = path.join(".next", file.replace(/\?.*/, ""));
    const ref = fs.existsSync(js) ? /sourceMappingURL=(\S+)/.exec(fs.readFileSync(js, "utf8"))?.[1] : undefined;
    const p = ref ? path.join(path.dirname(js), ref) : "";
    maps.set(file, p && fs.existsSync(p) ? new SourceMapConsumer(JSON.parse(fs.readFileSync(p, "utf8"))) : null);
  }
  return maps.get(file)!;
}
try {
  await waitFor("bridge up", async () => (await cluster(s)).bridge.status === "up");
  console.log("deploy", await deploy(s, n));
  console.log("mesh whole", await meshWhole(s, 600, console.log)); // a forming mesh takes the CPU the page would have
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${s.url}/?token=${s.token}`);
  await page.getByTestId("timeline").waitFor();
  await page.waitForTimeout(5000);
  if (mode === "storm") await s.api("POST", "/api/traffic", { pattern: "storm", rate: 10000, durationS: process.env.PROF_VARIANTS ? 600 : 15 });
  const [a, b] = (await cluster(s)).nodes.filter((x) => x.status === "up").map((x) => x.name).sort();
  if (mode === "sends") page.evaluate(`(async () => { for (let i = 0; i < 250; i++) { await fetch("/api/messages", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer ${s.token}" }, body: JSON.stringify({ from: "${a}", to: "${b}", content: "p " + i }) }); await new Promise((r) => setTimeout(r, 20)); } })()`).catch(() => {}); // ends with the page
  // PROF_DOM=1: how big the page is: elements under each panel, running animations.
  if (process.env.PROF_DOM) {
    console.log("DOM", await page.evaluate(`(() => {
      const out = { elements: document.querySelectorAll("*").length, animations: document.getAnimations().map((a) => a.animationName ?? a.constructor.name).reduce((m, k) => (m[k] = (m[k] ?? 0) + 1, m), {}) };
      for (const el of document.querySelectorAll("[data-testid]")) {
        const n = el.querySelectorAll("*").length;
        if (n > 150) out[el.getAttribute("data-testid")] = n;
      }
      return JSON.stringify(out);
    })()`));
  }
  // PROF_VARIANTS='[["name", "css"], ...]': the page's frame rate and main thread (the fps bench's
  // 4 s sample) and its paint, layerize and commit (a 3 s trace) with each style sheet added in
  // turn, a run without any before and after each: what a part of the page costs
  // (e.g. `[data-testid=topology]{display:none}`).
  if (process.env.PROF_VARIANTS) await variants(browser, page, JSON.parse(process.env.PROF_VARIANTS));
  // PROF_TRACE=1: Chrome's trace of the same window too, summed up: the main thread's longest tasks, by what they did.
  if (process.env.PROF_TRACE) await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing"] });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  await page.waitForTimeout(6000);
  const { profile } = (await cdp.send("Profiler.stop")) as any;
  if (process.env.PROF_TRACE) console.log(summarizeTrace(JSON.parse((await browser.stopTracing()).toString())));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const byId = new Map<number, any>(profile.nodes.map((x: any) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const dt = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const name = (f: any) => {
    const c = f.url ? consumer(f.url) : null;
    const o = c?.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber });
    return o?.source ? `${o.name ?? f.functionName ?? "?"} ${o.source.replace(/.*\/(node_modules|work\/main)\//, "")}:${o.line}` : `${f.functionName || "(anon)"} ${f.url.split("/").pop()}`;
  };
  for (const id of profile.samples) {
    const key = name(byId.get(id).callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const k = name(byId.get(p).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  // PROF_CALLERS=name: who calls it (three frames up), by time.
  const callee = process.env.PROF_CALLERS;
  if (callee) {
    const by = new Map<string, number>();
    for (const id of profile.samples) {
      const chain: string[] = [];
      for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) chain.push(name(byId.get(p).callFrame));
      const at = chain.findIndex((k) => k.startsWith(callee));
      if (at < 0) continue;
      const key = chain.slice(at + 1, at + 4).join(" < ");
      by.set(key, (by.get(key) ?? 0) + dt);
    }
    console.log(`CALLERS of ${callee}\n` + [...by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms ${k}`).join("\n"));
  }
  console.log("SELF\n" + [...self].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms ${k}`).join("\n"));
  console.log("TOTAL\n" + [...total].sort((a, b) => b[1] - a[1]).filter(([k], i) => i < 40 || k.includes("[project]")).slice(0, 90).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms ${k}`).join("\n"));
  await browser.close();
  await deploy(s, 0);
} finally { await s.stop(); }

/** The main thread's events of a trace, in order. */
function mainThread(trace: { traceEvents: any[] }): any[] {
  const main = trace.traceEvents.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  return trace.traceEvents.filter((e) => e.ph === "X" && typeof e.dur === "number" && e.pid === main?.pid && e.tid === main?.tid).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
}

async function variants(browser: Browser, page: Page, list: [string, string][]): Promise<void> {
  const style = await page.addStyleTag({ content: "/* PROF_VARIANTS */" }); // empty content is refused
  for (const [name, css] of list.flatMap((v) => [["none", ""] as [string, string], v]).concat([["none", ""]])) {
    await style.evaluate((el, text) => (el.textContent = text), css);
    await page.waitForTimeout(2000);
    const f = await sample(page, 4000);
    await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
    await page.waitForTimeout(3000);
    const mine = mainThread(JSON.parse((await browser.stopTracing()).toString()));
    const ms = (n: string) => mine.filter((e) => e.name === n).reduce((a, e) => a + e.dur / 1000, 0).toFixed(0);
    console.log(
      `${name.padEnd(16)} ${f.fps.toFixed(1).padStart(5)} fps; ms/s: script ${f.scriptMsPerS}, layout ${f.layoutMsPerS}, style ${f.styleMsPerS}, tasks ${f.taskMsPerS}; ` +
        `ms in 3 s: Paint ${ms("Paint")}, Layerize ${ms("Layerize")}, Commit ${ms("Commit")} (${mine.filter((e) => e.name === "Commit").length} frames)`,
    );
  }
  await style.evaluate((el) => el.remove());
}

/** The renderer main thread's tasks: the longest, each with its events one level down by name, and the sums by name. */
function summarizeTrace(trace: { traceEvents: any[] }): string {
  const mine = mainThread(trace);
  // Sorted by start (the longer first on a tie): a task's events follow it. A task inside another
  // counts in the outer one; one level down are the events not inside another event.
  const isTask = (e: any) => e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask";
  const tasks: any[] = [];
  for (const e of mine) {
    const last = tasks[tasks.length - 1];
    if (isTask(e) && !(last && e.ts + e.dur <= last.ts + last.dur)) tasks.push(e);
  }
  const outer = new Set(tasks);
  const byName = new Map<string, number>();
  const lines: string[] = [];
  const span = tasks.length ? (tasks[tasks.length - 1].ts + tasks[tasks.length - 1].dur - tasks[0].ts) / 1000 : 0;
  const top = new Set([...tasks].sort((a, b) => b.dur - a.dur).slice(0, 12));
  let task: any = null;
  let kinds = new Map<string, number>();
  let levelEnd = 0;
  const close = () => {
    if (top.has(task)) lines.push(`${(task.dur / 1000).toFixed(0).padStart(6)} ms task: ${[...kinds].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
  };
  for (const e of mine) {
    if (outer.has(e)) {
      close();
      task = e;
      kinds = new Map();
      levelEnd = 0;
      continue;
    }
    if (isTask(e) || !task || e.ts >= task.ts + task.dur || e.ts < levelEnd) continue;
    levelEnd = e.ts + e.dur;
    const d = e.args?.data ?? {};
    const k = ["EventDispatch", "FunctionCall", "TimerFire", "v8.callFunction"].includes(e.name) ? [e.name, d.type, d.functionName].filter(Boolean).join(":") : e.name;
    kinds.set(k, (kinds.get(k) ?? 0) + e.dur / 1000);
    byName.set(k, (byName.get(k) ?? 0) + e.dur / 1000);
  }
  close();
  const busy = tasks.reduce((a, t) => a + t.dur / 1000, 0);
  const longest = (name: string, what: (e: any) => string) =>
    mine.filter((e) => e.name === name).sort((a, b) => b.dur - a.dur).slice(0, 5).map((e) => `${(e.dur / 1000).toFixed(0).padStart(6)} ms ${name} ${what(e)}`).join("\n");
  const layouts = longest("Layout", (e) => JSON.stringify(e.args?.beginData ?? {}));
  const paints = longest("Paint", (e) => JSON.stringify({ clip: e.args?.data?.clip, layer: e.args?.data?.layerId, node: e.args?.data?.nodeId }));
  return `${layouts}\n${paints}\nTRACE ${tasks.length} tasks over ${span.toFixed(0)} ms, busy ${busy.toFixed(0)} ms\nLONGEST\n${lines.join("\n")}\nBY KIND (one level inside tasks)\n` +
    [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms ${k}`).join("\n");
}
