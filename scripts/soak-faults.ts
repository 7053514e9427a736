// The faults of `npm run soak -- --faults`: a random fault of a random kind (kill, freeze,
// partition, delay, loss) through POST /api/faults, healed 2-5 s later; at the end, detection
// times per kind and the false alarms (a node marked down that no kill or freeze explains).
import type { FaultDTO } from "../lib/contracts/fault-replies";
import type { ClusterEventDTO } from "../lib/contracts/http-replies";
import { percentile } from "../lib/percentile";
import type { ServerHandle } from "../tests/integration/harness";

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const KINDS = ["kill", "freeze", "partition", "delay", "loss"] as const;

export class SoakFaults {
  readonly injected: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
  private readonly detected: Record<string, number[]> = Object.fromEntries(KINDS.map((k) => [k, []]));
  private readonly targets: { nodes: string[]; kind: string; from: number; to: number }[] = [];

  constructor(
    private readonly s: () => ServerHandle,
    private readonly log: (line: string) => void,
  ) {}

  /** One fault on the nodes up now; resolves once it is healed (kill: at once). */
  async one(up: string[]): Promise<void> {
    if (up.length < 3) return;
    const kind = pick([...KINDS]);
    const victim = pick(up);
    const a = up.filter(() => Math.random() < 0.5).slice(0, up.length - 1);
    const body =
      kind === "partition" ? { kind, nodes: a.length ? a : [victim] }
      : kind === "delay" ? { kind, nodes: [victim], delayMs: 20 + Math.floor(Math.random() * 200), jitterMs: 10 }
      : kind === "loss" ? { kind, nodes: [victim], lossPct: 5 + Math.floor(Math.random() * 30) }
      : { kind, nodes: [victim] };
    const r = await this.s().api<{ fault: FaultDTO }>("POST", "/api/faults", body);
    if (r.status !== 201) return void this.log(`fault ${kind} refused: ${JSON.stringify(r.body)}`);
    const f = r.body.fault;
    this.injected[kind]!++;
    const t = { nodes: f.nodes, kind, from: f.startedAt, to: Infinity };
    this.targets.push(t);
    if (kind !== "kill") await new Promise((x) => setTimeout(x, 2000 + Math.random() * 3000));
    const ms = await this.detectionOf(f.id, kind === "freeze" ? 8000 : 3000);
    if (ms !== null) this.detected[kind]!.push(ms);
    this.log(`fault ${f.id}: ${kind} ${f.nodes.map((n) => n.split("@")[0]).join(",")}, detected in ${ms ?? "(not yet)"} ms`);
    if (kind !== "kill") await this.s().api("DELETE", `/api/faults/${f.id}`);
    t.to = Date.now() + 5000; // the restart or rejoin after it
  }

  private async detectionOf(id: string, waitMs: number): Promise<number | null> {
    const end = Date.now() + waitMs;
    for (;;) {
      const f = (await this.s().api<{ faults: FaultDTO[] }>("GET", "/api/faults")).body.faults.find((x) => x.id === id);
      if (f?.detectionMs != null || Date.now() > end) return f?.detectionMs ?? null;
      await new Promise((x) => setTimeout(x, 100));
    }
  }

  /** Detection p50/p99 per kind, and nodedowns no kill or freeze explains. */
  async report(since: number): Promise<{ detection: Record<string, { n: number; p50: number | null; p99: number | null }>; falseAlarms: number }> {
    const detection: Record<string, { n: number; p50: number | null; p99: number | null }> = {};
    for (const k of KINDS) {
      const ms = [...this.detected[k]!].sort((x, y) => x - y);
      detection[k] = { n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) };
    }
    const downs = (await this.s().api<{ events: ClusterEventDTO[] }>("GET", "/api/events?limit=10000")).body.events.filter((e) => e.kind === "nodedown" && e.at >= since);
    const explained = (e: ClusterEventDTO) =>
      this.targets.some((f) => (f.kind === "kill" || f.kind === "freeze") && f.nodes.includes(e.node ?? "") && e.at >= f.from && e.at <= f.to);
    const falseAlarms = downs.filter((e) => !explained(e)).length;
    return { detection, falseAlarms };
  }
}
