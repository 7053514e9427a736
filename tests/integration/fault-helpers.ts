import { expect } from "vitest";
import type { FaultDTO } from "../../lib/contracts/fault-replies";
import type { ClusterDTO, ExportJson, StatsDTO, TrafficState } from "../../lib/contracts/http-replies";
import { type ServerHandle, short, waitFor } from "./harness";
import { expectBalanced, stats, traffic } from "./books-helpers";

// Steps the fault tests share: inject, wait for detection and restoration (printing the measured
// times), settle a run, and read every lost message's reason.

export async function inject(s: ServerHandle, body: Record<string, unknown>): Promise<FaultDTO> {
  const r = await s.api<{ fault: FaultDTO }>("POST", "/api/faults", body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.fault;
}

export async function faultOf(s: ServerHandle, id: string): Promise<FaultDTO> {
  const f = (await s.api<{ faults: FaultDTO[] }>("GET", "/api/faults")).body.faults.find((x) => x.id === id);
  if (!f) throw new Error(`fault ${id} is not listed`);
  return f;
}

/** Waits for the dashboard to see the fault; prints and bounds the detection time. */
export async function detected(s: ServerHandle, f: FaultDTO, boundMs: number): Promise<number> {
  const x = await waitFor(`fault ${f.id} (${f.kind}) detected`, async () => {
    const g = await faultOf(s, f.id);
    return g.detectionMs !== null ? g : undefined;
  }, boundMs + 10_000, 50);
  console.log(`[measure] ${f.kind} ${f.nodes.map(short).join(",")}: detected in ${x.detectionMs} ms (bound ${boundMs} ms)`);
  expect(x.detectionMs!).toBeLessThanOrEqual(boundMs);
  return x.detectionMs!;
}

/** Heals the fault and waits for the links to be restored; prints the time. */
export async function healed(s: ServerHandle, f: FaultDTO, boundMs = 15_000): Promise<number> {
  if (f.kind !== "kill") expect((await s.api("DELETE", `/api/faults/${f.id}`)).status).toBe(200);
  const x = await waitFor(`fault ${f.id} restored`, async () => {
    const g = await faultOf(s, f.id);
    return g.restoreMs !== null ? g : undefined;
  }, boundMs + 10_000, 50);
  console.log(`[measure] ${f.kind} ${f.nodes.map(short).join(",")}: links restored ${x.restoreMs} ms after the ${f.kind === "kill" ? "kill was seen" : "heal"}`);
  expect(x.status).not.toBe("active");
  return x.restoreMs!;
}

export async function meshed(s: ServerHandle, n: number): Promise<ClusterDTO> {
  const seen: { last: ClusterDTO | null } = { last: null };
  try {
    return await waitFor(`${n} nodes up and meshed`, async () => {
      const c = (seen.last = (await s.api<ClusterDTO>("GET", "/api/cluster")).body);
      return c.nodes.filter((m) => m.status === "up" && m.links.length === n - 1).length === n ? c : undefined;
    }, 30_000);
  } catch (err) {
    const label = (name: string) => {
      const slot = seen.last?.nodes.find((m) => m.name === name)?.slot;
      return slot ? `n${slot}` : short(name);
    };
    const view = seen.last?.nodes.map((m) => `${label(m.name)}:${m.status}→${m.links.map(label).join(",")}`).join(" ");
    throw new Error(`${(err as Error).message}; cluster: ${view}`);
  }
}

/** The run ended, nothing in flight, and every node's counters equal the books. */
export async function settledExact(s: ServerHandle, run: string, nodes: number): Promise<StatsDTO> {
  const st = await waitFor(`run ${run} settled, books reconciled`, async () => {
    const t: TrafficState | null = await traffic(s);
    if (!t || t.run !== run || t.state === "running") return undefined;
    const x = await stats(s);
    return x.inFlight === 0 && x.reconciled.ok && x.reconciled.nodes === nodes ? x : undefined;
  }, 60_000, 200);
  expectBalanced(st);
  expect(st.reconciled.mismatches).toEqual([]);
  return st;
}

/** Every lost message's reason (the books' runs expanded), counted by reason; `pairs` says between whom. */
export async function lostReasons(s: ServerHandle): Promise<Record<string, number>> {
  const x = (await s.api<ExportJson>("GET", "/api/export?format=json&expand=1")).body;
  const slot = new Map(x.cluster.nodes.map((n) => [n.name, n.slot ? `n${n.slot}` : short(n.name)]));
  const out: Record<string, number> = {};
  for (const m of x.messages) {
    if (m.status !== "lost") continue;
    const key = `${m.reason ?? "(none)"}\u0000${slot.get(m.from) ?? short(m.from)}>${slot.get(m.to) ?? short(m.to)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Reasons of the losses since `before`, each matching `allowed` (the message names the pairs). */
export function expectReasons(before: Record<string, number>, after: Record<string, number>, allowed: RegExp): number {
  let n = 0;
  for (const [key, k] of Object.entries(after)) {
    const added = k - (before[key] ?? 0);
    if (added <= 0) continue;
    n += added;
    const [reason, pair] = key.split("\u0000");
    expect(reason, `${added} lost ${pair} with reason "${reason}"`).toMatch(allowed);
  }
  return n;
}
