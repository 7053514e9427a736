// The bench's deploy figures: local replicas from PUT /api/cluster to all nodes up (the dashboard's
// own progress), for 5, 50 and 200 replicas, and what one replica costs (CPU time and memory, read
// from /proc when all are up). `BENCH_ONLY=deploy npm run bench` runs only these.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type { ClusterDTO } from "../lib/contracts/http-replies";
import { meshProgress } from "../lib/client/mesh";
import { processes, type ServerHandle, percentile, waitFor } from "../tests/integration/harness";

export async function cluster(s: ServerHandle): Promise<ClusterDTO> {
  return (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
}

/** Seconds from the request to all `n` nodes up (the server's own progress times). */
export async function deploy(s: ServerHandle, n: number): Promise<number> {
  const r = await s.api("PUT", "/api/cluster", { replicas: n });
  if (r.status !== 202) throw new Error(`deploy ${n}: ${JSON.stringify(r.body)}`);
  // The figure is the server's; polling a 200-node cluster view often would only slow it down.
  const every = n > 20 ? 250 : 50;
  let told = Date.now();
  const p = await waitFor(`deploy ${n} done`, async () => {
    const c = await cluster(s);
    if (n > 20 && Date.now() - told >= 5000) {
      told = Date.now();
      const links = meshProgress(c.nodes).links;
      const down = new Map<string, number>(); // why nodes are down (a flapping mesh shows here: net_tick_timeout)
      for (const x of c.nodes) if (x.downReason) down.set(x.downReason, (down.get(x.downReason) ?? 0) + 1);
      const why = down.size > 0 ? `; down: ${[...down].map(([r, k]) => `${k} ${r}`).join(", ")}` : "";
      process.stdout.write(`[bench]   ${((told - c.progress!.startedAt) / 1000).toFixed(0)} s: ${c.progress?.replicasRunning} running, ${c.progress?.nodesUp} up, ${links} links${why}\n`);
    }
    return c.progress?.done && c.progress.target === n ? c.progress : undefined;
  }, 300_000, every);
  if (p.error) throw new Error(p.error);
  return (p.finishedAt! - p.startedAt) / 1000;
}

/**
 * Seconds from now until the mesh of the up nodes is whole (every pair connected), polled every
 * 5 s and printed; gives up after `limitS` and says how far it got.
 */
export async function meshWhole(s: ServerHandle, limitS: number, log: (s: string) => void): Promise<{ secs: number; links: number; full: number }> {
  const t0 = Date.now();
  for (;;) {
    const m = meshProgress((await cluster(s)).nodes);
    const secs = Math.round((Date.now() - t0) / 100) / 10;
    if ((m.full > 0 && m.links >= m.full) || secs >= limitS) return { secs, ...m };
    log(`  ${secs.toFixed(0)} s: mesh ${m.links} of ${m.full} links`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds used so far and resident memory (MiB) of one process, from /proc. */
function processCost(pid: number): { cpuS: number; rssMiB: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
    return { cpuS: (Number(f[11]) + Number(f[12])) / CLK_TCK, rssMiB: rssKiB / 1024 };
  } catch {
    return null;
  }
}

/** Median CPU seconds and RSS of the replicas, once all are up (their boot, joining the mesh, idling). */
export function replicaCost(c: ClusterDTO): { cpuS: number; rssMiB: number; replicas: number } {
  const costs = c.nodes.flatMap((n) => (n.replica?.pid ? [processCost(n.replica.pid)] : [])).filter((x) => x !== null);
  const cpu = costs.map((x) => x.cpuS).sort((a, b) => a - b);
  const rss = costs.map((x) => x.rssMiB).sort((a, b) => a - b);
  return { cpuS: Math.round(percentile(cpu, 50) * 1000) / 1000, rssMiB: Math.round(percentile(rss, 50) * 10) / 10, replicas: costs.length };
}

/** The sizes deployed: 5, 50 and 200, or those of BENCH_SIZES (e.g. `BENCH_SIZES=50`, for trying a change). */
function sizes(): number[] {
  const asked = (process.env.BENCH_SIZES ?? "").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 256);
  return asked.length > 0 ? asked : [5, 50, 200];
}

/** CPU seconds the dashboard itself (server and bridge) has used so far: what it takes from the replicas while they boot and mesh. */
async function dashboardCpu(s: ServerHandle): Promise<{ server: number; bridge: number }> {
  const b = (await processes()).find((p) => p.ppid === s.proc.pid && p.args.includes("swarmscope_bridge"))?.pid;
  return { server: processCost(s.proc.pid!)?.cpuS ?? NaN, bridge: b ? (processCost(b)?.cpuS ?? NaN) : NaN };
}

/** Seconds from the deploy's request to its first node up and to half of them up (each node's last status change). */
function upTimes(c: ClusterDTO): { first: number; half: number } {
  const t0 = c.progress?.startedAt ?? NaN;
  const ups = c.nodes.filter((x) => x.status === "up").map((x) => (x.since - t0) / 1000).sort((a, b) => a - b);
  return { first: Math.round((ups[0] ?? NaN) * 100) / 100, half: Math.round(percentile(ups, 50) * 100) / 100 };
}

/** 5, 50 and 200 local replicas, each from none; a removal between. */
export async function deployFigures(s: ServerHandle, log: (s: string) => void): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const n of sizes()) {
    const before = await dashboardCpu(s);
    const secs = await deploy(s, n);
    const after = await dashboardCpu(s);
    out[`deploy${n}S`] = secs;
    const own = { server: Math.round((after.server - before.server) * 100) / 100, bridge: Math.round((after.bridge - before.bridge) * 100) / 100 };
    out[`deploy${n}DashboardCpuS`] = own;
    await new Promise((r) => setTimeout(r, 2000)); // the mesh settles: its cost is part of a replica's
    const c = await cluster(s);
    const up = upTimes(c); // each node's last change: read with the rest, 2 s on (a 200-node view is ~1 MB)
    out[`deploy${n}FirstUpS`] = up.first;
    const cost = replicaCost(c);
    const links = meshProgress(c.nodes).links;
    out[`replica${n}CpuS`] = cost.cpuS;
    out[`replica${n}RssMiB`] = cost.rssMiB;
    log(`deploy ${n} local replicas → all up: ${secs} s (first up ${up.first} s, half up ${up.half} s); per replica (median of ${cost.replicas}, 2 s later): ${cost.cpuS} s CPU, ${cost.rssMiB} MiB RSS; mesh ${links} of ${(n * (n - 1)) / 2} links; the dashboard's own CPU during the deploy: server ${own.server} s, bridge ${own.bridge} s`);
    await deploy(s, 0);
  }
  return out;
}
