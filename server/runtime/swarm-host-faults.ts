import { ApiError, ConflictError } from "../errors";
import type { Logger } from "../log";
import { type Blocking, type Member, partitionPlan } from "./swarm-hosts";
import type { AgentOp } from "./swarm-relay";

export interface HostFaultDeps {
  /** Runs an operation through the agent of a Swarm node. */
  call: (host: string, op: AgentOp) => Promise<unknown>;
  /** The overlay members now: running replicas and the dashboard's bridge. */
  members: () => Promise<Member[]>;
  hostname: (host: string) => string;
  log: Logger;
  now?: () => number;
}

interface Cut {
  since: number;
  /** What is blocked now, per container: its host and the addresses it no longer reaches. */
  applied: Map<string, { host: string; ips: Set<string> }>;
}

/**
 * Host partitions: a host cut off from the others by blackhole routes inside every member's
 * network namespace (set by the host agents, erlang/PROTOCOL.md "Host agent"), no matter which
 * machine the hosts are. Swarm's own traffic is untouched, so Swarm keeps the tasks where they
 * are; the Erlang nodes across the cut lose each other after the net tick. Members that start
 * while a cut is active (a replacement task) are cut as well (refresh). One change at a time.
 */
export class HostFaults {
  private readonly cuts = new Map<string, Cut>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: HostFaultDeps) {}

  /** Swarm node id → since when it is cut off. */
  partitioned(): ReadonlyMap<string, number> {
    return new Map([...this.cuts].map(([h, c]) => [h, c.since]));
  }

  /** Cuts `host` off (again: adds what is missing); resolves to when the cut began. */
  partition(host: string): Promise<number> {
    return this.serial(async () => {
      const members = await this.d.members();
      if (!members.some((m) => m.host === host)) {
        throw new ConflictError(`host ${this.d.hostname(host)} has no running replica to cut off`);
      }
      if (!members.some((m) => m.host !== host)) {
        throw new ConflictError(`no other host has a running replica or the bridge: nothing to cut ${this.d.hostname(host)} off from`);
      }
      const cut = this.cuts.get(host) ?? { since: (this.d.now ?? Date.now)(), applied: new Map() };
      this.cuts.set(host, cut);
      await this.apply(cut, partitionPlan(host, members));
      this.d.log.info(`host ${this.d.hostname(host)} cut off (${cut.applied.size} containers)`);
      return cut.since;
    });
  }

  /** Undoes the cut of `host`. */
  heal(host: string): Promise<void> {
    return this.serial(async () => {
      const cut = this.cuts.get(host);
      if (!cut) throw new ConflictError(`host ${this.d.hostname(host)} is not partitioned`);
      this.cuts.delete(host);
      const results = await Promise.allSettled(
        [...cut.applied].map(([container, a]) => this.d.call(a.host, { op: "unblock", container, ips: [...a.ips] })),
      );
      const failed = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as Error);
      // A container that is gone takes its routes with it: only other failures are worth saying.
      for (const e of failed) this.d.log.warn(`heal ${this.d.hostname(host)}: ${e.message}`);
      this.d.log.info(`host ${this.d.hostname(host)} healed`);
    });
  }

  /** Cuts members that appeared since (replacement tasks) while a cut is active. */
  refresh(): Promise<void> {
    if (this.cuts.size === 0) return Promise.resolve();
    return this.serial(async () => {
      const members = await this.d.members();
      for (const [host, cut] of this.cuts) await this.apply(cut, partitionPlan(host, members)).catch((e: Error) => this.d.log.warn(e.message));
    });
  }

  /** Blocks what the plan adds to what is applied; fails with every error once the rest is done. */
  private async apply(cut: Cut, plan: Blocking[]): Promise<void> {
    const todo = plan
      .map((b) => ({ ...b, ips: b.ips.filter((ip) => !cut.applied.get(b.container)?.ips.has(ip)) }))
      .filter((b) => b.ips.length > 0);
    const results = await Promise.allSettled(todo.map((b) => this.d.call(b.host, { op: "block", container: b.container, ips: b.ips })));
    const errors: Error[] = [];
    results.forEach((r, i) => {
      const b = todo[i]!;
      if (r.status === "rejected") return void errors.push(r.reason as Error);
      const a = cut.applied.get(b.container) ?? { host: b.host, ips: new Set<string>() };
      for (const ip of b.ips) a.ips.add(ip);
      cut.applied.set(b.container, a);
    });
    if (errors.length === 0) return;
    const text = `cutting ${errors.length} of ${todo.length} containers failed: ${errors.map((e) => e.message).join("; ")}`;
    // The agents' own statuses when they agree (an agent unreachable: 503), else a failure of ours.
    const statuses = new Set(errors.map((e) => (e instanceof ApiError ? e.status : 500)));
    throw statuses.size === 1 ? new ApiError([...statuses][0]!, text) : new Error(text);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }
}
