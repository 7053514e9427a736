import { ApiError } from "../errors";
import type { Logger } from "../log";
import type { AgentOp } from "./swarm-relay";
import type { Replica } from "./types";

export interface NodeCutDeps {
  /** Runs an operation through the agent of a Swarm node. */
  call: (host: string, op: AgentOp) => Promise<unknown>;
  replicas: () => Replica[];
  log: Logger;
}

type Applied = Map<string, { host: string; ips: string[] }>;

/**
 * A partition between two groups of replicas at the network level, the way Pumba cuts: blackhole
 * routes inside each task's network namespace (the host agent's NET_ADMIN helper, erlang/PROTOCOL.md
 * "Host agent"): every container of one group stops reaching the other group's addresses, both
 * ways. The bridge is in neither group: it keeps seeing both sides, which lose each other after
 * the net tick. Heal removes exactly what was set.
 */
export class NodeCuts {
  private applied: Applied = new Map();

  constructor(private readonly d: NodeCutDeps) {}

  async cut(a: string[], b: string[]): Promise<void> {
    const side = (names: string[]) => names.map((n) => this.replica(n));
    const [ra, rb] = [side(a), side(b)];
    const plan = [...ra.map((r) => [r, rb] as const), ...rb.map((r) => [r, ra] as const)];
    const applied: Applied = new Map();
    const results = await Promise.allSettled(
      plan.map(async ([r, others]) => {
        const ips = others.map((o) => o.ip!);
        await this.d.call(r.hostId!, { op: "block", container: r.containerId!, ips });
        applied.set(r.containerId!, { host: r.hostId!, ips });
      }),
    );
    this.applied = applied;
    const errors = results.flatMap((x) => (x.status === "rejected" ? [(x.reason as Error).message] : []));
    if (errors.length > 0) throw new ApiError(500, `cutting ${errors.length} of ${plan.length} containers failed: ${errors.join("; ")}`);
    this.d.log.info(`network cut between ${a.length} and ${b.length} replicas (${applied.size} containers)`);
  }

  async heal(): Promise<void> {
    const applied = [...this.applied];
    this.applied = new Map();
    const results = await Promise.allSettled(applied.map(([container, x]) => this.d.call(x.host, { op: "unblock", container, ips: x.ips })));
    // A container that is gone took its routes with it: worth a warning only.
    for (const r of results) if (r.status === "rejected") this.d.log.warn(`heal: ${(r.reason as Error).message}`);
  }

  private replica(nodeName: string): Replica {
    const r = this.d.replicas().find((x) => x.nodeName === nodeName);
    if (!r?.containerId || !r.ip || !r.hostId) throw new ApiError(409, `${nodeName} has no running task container with an address to cut`);
    return r;
  }
}
