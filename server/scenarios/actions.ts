import type { FaultBody, FaultKind } from "../../lib/contracts/fault-requests";
import type { SeedCommand } from "../bridge/protocol";
import type { Swarmscope } from "../app";
import { resolveNode } from "../faults/wire";

// What each scenario step does on the dashboard, and what it waits for. Each resolves to a line
// of detail (what was seen, with measured times) or rejects with why it did not happen in time.

export interface ScenarioActions {
  deploy(replicas: number, timeoutMs: number): Promise<string>;
  send(from: string, to: string, content: string, timeoutMs: number): Promise<string>;
  broadcast(from: string, content: string, timeoutMs: number): Promise<string>;
  storm(rate: number, durationS: number, timeoutMs: number): Promise<string>;
  fault(body: FaultBody, timeoutMs: number): Promise<string>;
  heal(kind: FaultKind, timeoutMs: number): Promise<string>;
  seed(from: string, to: string, content: string, timeoutMs: number): Promise<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not seen within ${(timeoutMs / 1000).toFixed(0)} s`);
    await sleep(everyMs);
  }
}

export function createActions(app: Swarmscope, request: (cmd: Omit<SeedCommand, "ref">) => Promise<unknown>): ScenarioActions {
  const full = (name: string) => resolveNode(app.model, name) ?? name;
  const short = (node: string) => app.model.short(node);
  const received = (ids: string[], timeoutMs: number) =>
    until(`${ids.length} message(s) received`, () => {
      const ms = ids.map((id) => app.message(id));
      return ms.every((m) => m && (m.status === "received" || m.status === "acked")) ? ms.map((m) => m!.latencyMs ?? 0) : null;
    }, timeoutMs, 25);
  const newest = (kind: FaultKind) => app.faults.list().find((f) => f.kind === kind);
  return {
    async deploy(replicas, timeoutMs) {
      await app.scale(replicas);
      const t0 = Date.now();
      await until(`${replicas} nodes up and meshed`, () => {
        const up = app.cluster().nodes.filter((n) => n.status === "up");
        return up.length === replicas && up.every((n) => n.links.length >= replicas - 1);
      }, timeoutMs);
      return `${replicas} nodes up and meshed (${Date.now() - t0} ms)`;
    },
    async send(from, to, content, timeoutMs) {
      const [lat] = await received(app.send(full(from), full(to), content), timeoutMs);
      return `received by ${to}, latency ${lat?.toFixed(2)} ms`;
    },
    async broadcast(from, content, timeoutMs) {
      const lats = await received(app.send(full(from), "*", content), timeoutMs);
      return `${lats.length} receptions, latency ${Math.min(...lats).toFixed(2)}–${Math.max(...lats).toFixed(2)} ms`;
    },
    async storm(rate, durationS, timeoutMs) {
      const before = app.stats();
      const run = app.startTraffic({ pattern: "storm", rate, durationS }).run;
      const st = await until("the storm ended and the books balanced", () => {
        const t = app.traffic;
        const s = t?.run === run && t.state !== "running" ? app.stats() : null;
        return s && s.inFlight === 0 && s.reconciled.ok ? s : null;
      }, timeoutMs, 250);
      // This step's own messages (the totals also hold what earlier steps and faults lost).
      const d = (k: "sent" | "received" | "lost") => st[k] - before[k];
      return `${d("sent")} sent, ${d("received")} received, ${d("lost")} lost; books balanced over ${st.reconciled.pairs} pairs`;
    },
    async fault(body, timeoutMs) {
      const f = await app.faults.inject({ ...body, ...(body.nodes ? { nodes: body.nodes.map(full) } : {}) });
      const d = await until(`fault ${f.id} detected`, () => app.faults.list().find((x) => x.id === f.id && x.detectionMs !== null), timeoutMs, 25);
      return `${f.kind} ${f.nodes.map(short).join(", ")}: detected in ${d.detectionMs} ms`;
    },
    async heal(kind, timeoutMs) {
      const f = newest(kind);
      if (!f) throw new Error(`no ${kind} fault to heal`);
      if (f.status === "active" && kind !== "kill") await app.faults.heal(f.id);
      const r = await until(`fault ${f.id} restored`, () => app.faults.list().find((x) => x.id === f.id && x.restoreMs !== null), timeoutMs, 25);
      return `links restored ${r.restoreMs} ms after the ${kind === "kill" ? "kill was seen" : "heal"}`;
    },
    async seed(from, to, content, timeoutMs) {
      const [a, b] = [full(from), full(to)];
      const t0 = Date.now();
      await request({ t: "seed", from: a, to: b, content });
      await until(`the seed message received by ${to}`, () => app.messages(200).find((m) => m.seed && m.from === a && m.to === b && m.content === content), timeoutMs, 50);
      return `${to} reported it received (${Date.now() - t0} ms after the send)`;
    },
  };
}
