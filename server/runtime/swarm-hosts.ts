import type { HostDTO } from "../../lib/contracts/http-replies";
import type { Replica } from "./types";

/** The fields of a Swarm node (GET /nodes) that the runtime reads. */
export interface SwarmNode {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string>; Name?: string };
  Description?: { Hostname?: string; Engine?: { EngineVersion?: string } };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

export interface HostView {
  /** The Swarm node id of the engine the dashboard talks to. */
  self: string | null;
  /** Swarm node ids whose agent the relay reaches. */
  agents: ReadonlySet<string>;
  /** Swarm node id → when the dashboard cut it off (ms epoch). */
  partitioned: ReadonlyMap<string, number>;
}

/** Swarm's nodes as hosts, each with its replicas: managers first, then by hostname. */
export function hostsFromNodes(nodes: SwarmNode[], replicas: Replica[], view: HostView): HostDTO[] {
  return nodes
    .map((n): HostDTO => {
      const addr = n.ManagerStatus?.Addr?.replace(/:\d+$/, "") ?? n.Status?.Addr ?? "";
      return {
        id: n.ID,
        hostname: n.Description?.Hostname ?? n.ID,
        role: n.Spec?.Role === "manager" ? "manager" : "worker",
        leader: n.ManagerStatus?.Leader === true,
        state: n.Status?.State ?? "unknown",
        availability: n.Spec?.Availability ?? "unknown",
        engine: n.Description?.Engine?.EngineVersion ?? "",
        address: addr,
        self: n.ID === view.self,
        agent: view.agents.has(n.ID) ? "up" : "down",
        partitionedSince: view.partitioned.get(n.ID) ?? null,
        replicas: replicas.filter((r) => r.hostId === n.ID).map((r) => r.nodeName ?? r.id),
      };
    })
    .sort((a, b) => Number(b.role === "manager") - Number(a.role === "manager") || a.hostname.localeCompare(b.hostname));
}

/** A container to cut off from some addresses, and the agent (host) that does it. */
export interface Blocking {
  host: string;
  container: string;
  ips: string[];
}

/** A member of the stack's overlay network: a replica, or the dashboard's bridge. */
export interface Member {
  host: string;
  container: string;
  ip: string;
}

/** The running replicas with a container, an address and a host: what a partition cuts. */
export function membersOf(replicas: Replica[]): Member[] {
  const out: Member[] = [];
  for (const r of replicas) {
    if (r.state === "running" && r.containerId && r.ip && r.hostId) out.push({ host: r.hostId, container: r.containerId, ip: r.ip });
  }
  return out;
}

/**
 * Cutting host `host` off from the others: every member on it stops reaching the members
 * elsewhere, and every member elsewhere stops reaching those on it (both sides, so that the cut
 * holds whichever side starts a connection).
 */
export function partitionPlan(host: string, members: Member[]): Blocking[] {
  const inside = members.filter((m) => m.host === host);
  const outside = members.filter((m) => m.host !== host);
  const plan: Blocking[] = [];
  const ips = (ms: Member[]) => [...new Set(ms.map((m) => m.ip))].sort();
  if (inside.length === 0 || outside.length === 0) return plan;
  for (const m of inside) plan.push({ host: m.host, container: m.container, ips: ips(outside) });
  for (const m of outside) plan.push({ host: m.host, container: m.container, ips: ips(inside) });
  return plan;
}
