// `npm run soak [-- --minutes N] [-- --server-kills] [-- --faults]`: N minutes (default 10) of mixed traffic on
// local replicas with a random crash every few seconds — the bridge SIGKILLed, a replica killed
// (and, with --server-kills, the server SIGKILLed and started again on the same data folder) —
// ending with the books reconciled with the nodes' own counters. Prints the crashes, the
// messages and the mismatches (which must be 0); exits 1 otherwise. Not part of `npm test`.
// With --faults, the crashes are faults instead (scripts/soak-faults.ts): every kind through
// POST /api/faults, with the detection times per kind and the false alarms (which must be 0).
//
// Server kills are off by default: until local replicas survive a server crash (the runtime's
// reattach work), killing the server takes its replicas with it (they halt on their stdin's end)
// and the soak would be measuring redeploys. The hook is `serverKill` below.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type { ClusterDTO, StatsDTO, TrafficState } from "../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "../tests/integration/harness";
import { SoakFaults } from "./soak-faults";

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const MINUTES = Number(arg("--minutes") ?? process.env.SOAK_MINUTES ?? 10);
const SERVER_KILLS = process.argv.includes("--server-kills");
const REPLICAS = Number(arg("--replicas") ?? 4);
const FAULTS = process.argv.includes("--faults");
const log = (s: string) => process.stdout.write(`[soak] ${new Date().toISOString().slice(11, 19)} ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

let s: ServerHandle;
const crashes: Record<string, number> = { bridge: 0, replica: 0, server: 0 };
let tracked = 0;
const faults = new SoakFaults(() => s, (line) => void log(line));

const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
const stats = async () => (await s.api<StatsDTO>("GET", "/api/stats")).body;

async function upNodes(): Promise<string[]> {
  return (await cluster()).nodes.filter((n) => n.status === "up").map((n) => n.name);
}

async function bridgeKill(): Promise<void> {
  const dep = (await cluster()).deploymentId;
  const pid = execFileSync("pgrep", ["-f", `name bridge-${dep}@`], { encoding: "utf8" }).trim().split("\n")[0];
  if (!pid) return;
  process.kill(Number(pid), "SIGKILL");
  crashes.bridge!++;
  log(`crash: bridge SIGKILL (pid ${pid})`);
}

async function replicaKill(): Promise<void> {
  const up = await upNodes();
  if (up.length < 3) return;
  const victim = pick(up);
  const r = await s.api("POST", `/api/nodes/${encodeURIComponent(victim)}/kill`);
  if (r.status === 202) {
    crashes.replica!++;
    log(`crash: replica ${victim.split("@")[0]} killed`);
  }
}

/** The hook for server crashes: SIGKILL, then the same data folder again. */
async function serverKill(): Promise<void> {
  const dataDir = s.dataDir;
  s.proc.kill("SIGKILL");
  await new Promise<void>((r) => (s.proc.exitCode !== null || s.proc.signalCode !== null ? r() : s.proc.once("exit", () => r())));
  crashes.server!++;
  log("crash: server SIGKILL; starting it again");
  s = await startServer({ dataDir });
  await waitFor("the bridge up after the restart", async () => (await cluster()).bridge.status === "up", 60_000);
  if ((await cluster()).nodes.length === 0) await s.api("PUT", "/api/cluster", { replicas: REPLICAS });
}

async function traffic(): Promise<void> {
  const up = await upNodes();
  if (up.length < 2 || (await s.api<{ traffic: TrafficState | null }>("GET", "/api/traffic")).body.traffic?.state === "running") return;
  const body = pick([
    { pattern: "storm", rate: 2000 + Math.floor(Math.random() * 4000), durationS: 3 + Math.floor(Math.random() * 6) },
    { pattern: "random", rounds: 500 },
    { pattern: "ring", rounds: 1000 },
    { pattern: "broadcast", rounds: 200 },
  ]);
  await s.api("POST", "/api/traffic", body).catch(() => {});
}

async function handSent(): Promise<void> {
  const up = await upNodes();
  if (up.length < 2) return;
  const [from, to] = [pick(up), pick(up)];
  if (from === to) return;
  const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from, to, content: `soak ${tracked}` }).catch(() => null);
  if (r?.status === 202) tracked += r.body.ids.length;
}

async function crash(): Promise<void> {
  if (FAULTS) return void (await faults.one(await upNodes()).catch((err: Error) => void log(`fault skipped: ${err.message}`)));
  const kinds = [bridgeKill, replicaKill, replicaKill, ...(SERVER_KILLS ? [serverKill] : [])];
  await pick(kinds)().catch((err: Error) => log(`crash skipped: ${err.message}`));
}

async function settle(): Promise<StatsDTO> {
  await s.api("DELETE", "/api/traffic").catch(() => {});
  return waitFor("the books settled and reconciled with every node", async () => {
    const c = await cluster();
    const st = await stats();
    const up = c.nodes.filter((n) => n.status === "up").length;
    return c.bridge.status === "up" && up === REPLICAS && st.inFlight === 0 && st.reconciled.nodes === up && st.reconciled.pairs >= up * (up - 1) && st.reconciled.ok ? st : undefined;
  }, 180_000, 500);
}

async function main(): Promise<number> {
  s = await startServer();
  const t0 = Date.now();
  try {
    await waitFor("the bridge up", async () => (await cluster()).bridge.status === "up", 60_000);
    await s.api("PUT", "/api/cluster", { replicas: REPLICAS });
    await waitFor(`${REPLICAS} up`, async () => (await upNodes()).length === REPLICAS, 60_000);
    log(`${MINUTES} min of mixed traffic on ${REPLICAS} local replicas, a crash every 3-8 s (${SERVER_KILLS ? "bridge, replica, server" : "bridge, replica"})`);
    const end = Date.now() + MINUTES * 60_000;
    let nextCrash = Date.now() + 3000 + Math.random() * 5000;
    while (Date.now() < end) {
      await traffic().catch(() => {});
      await handSent().catch(() => {});
      if (Date.now() >= nextCrash) {
        await crash();
        nextCrash = Date.now() + 3000 + Math.random() * 5000;
      }
      await sleep(500);
    }
    log("time is up: stopping traffic, waiting for the books to settle");
    const st = await settle().catch(async (err: Error) => {
      log(`did not settle: ${err.message}`);
      return stats();
    });
    const balanced = st.sent === st.received + st.lost + st.inFlight && Object.values(st.perNode).every((p) => p.sent === p.received + p.lost + p.inFlight);
    const mismatches = st.reconciled.mismatches.length;
    log(`crashes: ${crashes.bridge} bridge, ${crashes.replica} replica, ${crashes.server} server`);
    log(`messages: ${st.sent} sent = ${st.received} received + ${st.lost} lost + ${st.inFlight} in flight (${balanced ? "balanced" : "NOT BALANCED"}); ${st.failed} failed to leave their sender; ${tracked} of them sent by hand`);
    log(`reconciled with the nodes' own counters: ${st.reconciled.ok ? "ok" : "NOT ok"}, ${st.reconciled.pairs} pair checks over ${st.reconciled.nodes} nodes, mismatches: ${mismatches}`);
    for (const m of st.reconciled.mismatches) log(`  mismatch ${m.from} → ${m.to} ${m.field}: dashboard ${m.dashboard}, node ${m.node}`);
    console.log(JSON.stringify({ minutes: MINUTES, crashes, sent: st.sent, received: st.received, lost: st.lost, inFlight: st.inFlight, failed: st.failed, tracked, balanced, reconciled: st.reconciled.ok, pairChecks: st.reconciled.pairs, mismatches }));
    let falseAlarms = 0;
    if (FAULTS) {
      const r = await faults.report(t0);
      falseAlarms = r.falseAlarms;
      log(`faults injected: ${JSON.stringify(faults.injected)}; false alarms: ${falseAlarms}`);
      for (const [k, d] of Object.entries(r.detection)) log(`  ${k}: detected ${d.n}× p50 ${d.p50 ?? "-"} ms, p99 ${d.p99 ?? "-"} ms`);
      console.log(JSON.stringify({ faults: faults.injected, detection: r.detection, falseAlarms }));
    }
    return balanced && st.reconciled.ok && mismatches === 0 && falseAlarms === 0 ? 0 : 1;
  } finally {
    await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await waitFor("replicas removed", async () => (await cluster()).nodes.length === 0, 30_000).catch(() => {});
    await s.stop();
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
