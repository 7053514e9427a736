import type { RuntimeKind } from "../../lib/contracts/common";
import type { FaultKind } from "../../lib/contracts/fault-requests";
import type { FaultCommand } from "../bridge/protocol";
import { ApiError } from "../errors";

// How each fault is done. Freeze and kill go to the runtime (SIGSTOP/SIGKILL of the local erl
// process; docker pause/kill through the host agent on Swarm). Partition, delay and loss are the
// replicas' own Erlang-level faults (`ss_fault`, erlang/PROTOCOL.md "Faults"), sent through the
// bridge, the same on both runtimes: this kernel has no netem, and the proxy works everywhere.

export interface ApplierDeps {
  kind: () => RuntimeKind;
  /** A fault command through the bridge to one replica's `ss_fault`; rejects with its error. */
  request: (cmd: Omit<FaultCommand, "ref">) => Promise<unknown>;
  kill: (node: string) => Promise<void>;
  freeze: (node: string, frozen: boolean) => Promise<void>;
  /** Every node up now (the routes to a delayed node go to all of them). */
  upNodes: () => string[];
  /** The runtime's network-level partition between groups, where it has one (Swarm: the host agents). */
  networkCut: () => ((a: string[], b: string[], cut: boolean) => Promise<void>) | undefined;
}

export interface FaultApplier {
  how(kind: FaultKind): string;
  kill(node: string): Promise<void>;
  freeze(node: string, frozen: boolean): Promise<void>;
  partition(a: string[], b: string[], cut: boolean): Promise<void>;
  shape(node: string, delayMs: number, jitterMs: number, lossPct: number): Promise<void>;
  clear(node: string): Promise<void>;
}

const HOW: Record<RuntimeKind, Record<FaultKind, string>> = {
  local: {
    kill: "SIGKILL of the replica's erl process (restarted after 1 s)",
    freeze: "SIGSTOP of the replica's erl process (SIGCONT to thaw)",
    partition: "Erlang-level cut: each side's epmd module refuses the other, per-peer cookie, disconnect",
    delay: "shaping proxy in the node's distribution path (Erlang-level, no netem)",
    loss: "shaping proxy losing TCP segments: retransmission timeouts, nothing dropped",
  },
  swarm: {
    kill: "docker kill of the task's container, through the host agent",
    freeze: "docker pause of the task's container, through the host agent",
    partition: "blackhole routes in each task's network namespace (the host agent's NET_ADMIN helper); down after the net tick",
    delay: "shaping proxy in the node's distribution path (Erlang-level: no netem on this kernel)",
    loss: "shaping proxy losing TCP segments: retransmission timeouts, nothing dropped",
  },
};

/** Runs `fn` on every item, all at once; fails with every error once all have ended. */
async function all<T>(items: T[], fn: (x: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(items.map(fn));
  const errors = results.flatMap((r) => (r.status === "rejected" ? [String((r.reason as Error).message ?? r.reason)] : []));
  if (errors.length > 0) throw new ApiError(500, `${errors.length} of ${items.length} nodes refused: ${[...new Set(errors)].join("; ")}`);
}

export function createApplier(d: ApplierDeps): FaultApplier {
  const fault = (node: string, op: FaultCommand["op"], extra: Partial<FaultCommand> = {}) => d.request({ t: "fault", node, op, ...extra });
  return {
    how: (kind) => HOW[d.kind()][kind],
    kill: d.kill,
    freeze: d.freeze,
    async partition(a, b, cut) {
      const network = d.networkCut();
      if (network) return network(a, b, cut);
      // Both sides are told (one would do): the cut holds even if one command is lost.
      const op = cut ? "partition" : "heal";
      await all([...a.map((n) => [n, b] as const), ...b.map((n) => [n, a] as const)], ([n, peers]) => fault(n, op, { peers }));
    },
    async shape(node, delayMs, jitterMs, lossPct) {
      const route = (await fault(node, "delay", { delayMs, jitterMs, lossPct })) as { ip: string; port: number } | null;
      if (!route) return;
      // Single side is enough; routes to its proxy spare the others one more reconnection.
      await all(d.upNodes().filter((n) => n !== node), (n) => fault(n, "route", { peer: node, ip: route.ip, port: route.port })).catch(() => {});
    },
    async clear(node) {
      await all(d.upNodes().filter((n) => n !== node), (n) => fault(n, "unroute", { peer: node })).catch(() => {});
      await fault(node, "clear");
    },
  };
}
