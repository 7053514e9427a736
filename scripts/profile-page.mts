// A CPU profile of the dashboard page (Chromium, 1920x1080) with N local nodes, idle, under a
// storm, or while 250 messages are sent from the page: where the page's main thread goes, by
// function, self and total. Names come from the source maps of a build made with
// SWARMSCOPE_SOURCE_MAPS=1 (`SWARMSCOPE_SOURCE_MAPS=1 npx next build`); without, minified.
//   npx tsx scripts/profile-page.mts 200 storm | npx tsx scripts/profile-page.mts 2 sends
import fs from "node:fs";
import path from "node:path";
import { SourceMapConsumer } from "source-map-js";
import { startServer, waitFor } from "../tests/integration/harness";
import { cluster, deploy, meshWhole } from "./bench-deploy";
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
  if (mode === "storm") await s.api("POST", "/api/traffic", { pattern: "storm", rate: 10000, durationS: 15 });
  const [a, b] = (await cluster(s)).nodes.filter((x) => x.status === "up").map((x) => x.name).sort();
  if (mode === "sends") page.evaluate(`(async () => { for (let i = 0; i < 250; i++) { await fetch("/api/messages", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer ${s.token}" }, body: JSON.stringify({ from: "${a}", to: "${b}", content: "p " + i }) }); await new Promise((r) => setTimeout(r, 20)); } })()`).catch(() => {}); // ends with the page
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  await page.waitForTimeout(6000);
  const { profile } = (await cdp.send("Profiler.stop")) as any;
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
