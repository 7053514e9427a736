import type { NodeStatus } from "../../lib/contracts/common";
import type { StrangerDTO } from "../../lib/contracts/http-replies";
import type { Replica } from "../runtime/types";

// The rules of the cluster view, where the runtime's word (a replica's state) and Erlang's (a
// node up or down, its links) meet: a node's status, the flags where the two disagree, and the
// strangers (visible nodes in the links that are no replica).

/** What the bridge says of one Erlang node. */
export interface ErlangNode {
  status: "up" | "down";
  since: number;
  links: string[];
  downReason?: string;
}

const RUNNING = new Set(["running", "starting"]);
/** Swarm task states on the way to running: the replica is coming, not down. */
const COMING = new Set(["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready"]);

/**
 * Up when its node is; else starting while the replica runs or is on its way. Down stays down
 * until the runtime starts a new process or container for the replica (`startedSince`): a state
 * change the runtime reports late is not a restart.
 */
export function replicaStatus(r: Replica, e: ErlangNode | undefined, startedSince: number): NodeStatus {
  if (e?.status === "down" && startedSince <= e.since) return "down";
  return e?.status === "up" ? "up" : RUNNING.has(r.state) || COMING.has(r.state) ? "starting" : "down";
}

/** Where the runtime and Erlang disagree: a replica running for `runningMs` whose node never joined, a node up whose replica is not running. */
export function replicaFlags(r: Replica, e: ErlangNode | undefined, runningMs: number, graceMs: number, bridgeUp: boolean): string[] {
  const flags: string[] = [];
  if (r.state === "running" && e?.status !== "up" && runningMs > graceMs && bridgeUp) {
    flags.push(`replica running for ${Math.round(runningMs / 1000)} s, Erlang node never joined`);
  }
  if (e?.status === "up" && !RUNNING.has(r.state)) flags.push(`Erlang node up, but the runtime says the replica is ${r.state}`);
  return flags;
}

/** Visible nodes in the links of nodes up that are neither replicas nor known Erlang nodes (a plain `erl`). */
export function strangersOf(erlang: ReadonlyMap<string, ErlangNode>, knows: (name: string) => boolean): StrangerDTO[] {
  const found = new Map<string, string[]>();
  for (const [name, n] of erlang) {
    if (n.status !== "up") continue;
    for (const l of n.links) if (!knows(l)) found.set(l, [...(found.get(l) ?? []), name]);
  }
  return [...found].sort(([a], [b]) => a.localeCompare(b)).map(([name, links]) => ({ name, host: name.split("@")[1] ?? name, links }));
}
