import type { ClusterEventDTO } from "./contracts/http-replies";
import type { ReplayNode } from "./contracts/replay";
import { shortNodeName } from "./node-name";

// Which nodes were up at a moment of the past, from the stored cluster events alone (GET
// /api/replay's start state, and the browser's replay player as it goes): shared by both, so the
// server's state at `since` and the player's state after it follow the same rules.

export interface NodesState {
  nodes: Map<string, ReplayNode>;
  desired: number;
}

export function emptyNodes(): NodesState {
  return { nodes: new Map(), desired: 0 };
}

/** The event kinds that change which nodes are up. */
export const NODE_KINDS = ["nodeup", "nodedown", "bridge", "deploy", "replica"] as const;

const DESIRED = /^deploy\/scale to (\d+) requested/;

/**
 * Applies one event: a join makes a node up, a nodedown down (with the reason its text gives), a
 * bridge that is not up makes every node down (nothing is known of them then), a deploy request
 * sets the desired count; a node down whose slot is past it was scaled away and is dropped, as the
 * live view drops it. A replica event about a node not up shows it starting.
 */
export function applyNodeEvent(st: NodesState, e: Pick<ClusterEventDTO, "at" | "kind" | "node" | "text">): boolean {
  const name = e.node;
  switch (e.kind) {
    case "nodeup":
      if (!name) return false;
      st.nodes.set(name, { name, status: "up", since: e.at });
      return true;
    case "nodedown":
      if (!name) return false;
      down(st, name, e.at, /\((.*)\)\s*$/.exec(e.text)?.[1] ?? "down");
      return true;
    case "bridge":
      if (/^bridge up\b/.test(e.text)) return false;
      for (const n of [...st.nodes.keys()]) down(st, n, e.at, "bridge lost");
      return true;
    case "deploy": {
      const m = DESIRED.exec(e.text);
      if (m) st.desired = Number(m[1]);
      else if (/^remove requested/.test(e.text)) st.desired = 0;
      else return false;
      for (const n of [...st.nodes.values()]) if (n.status === "down") dropIfGone(st, n.name);
      return true;
    }
    case "replica": {
      const n = name ? st.nodes.get(name) : undefined;
      if (!name || n?.status === "up" || !/\b(starting|running)\b/.test(e.text)) return false;
      st.nodes.set(name, { name, status: "starting", since: e.at });
      return true;
    }
    default:
      return false;
  }
}

function down(st: NodesState, name: string, at: number, reason: string): void {
  const n = st.nodes.get(name);
  if (n?.status === "down") return;
  st.nodes.set(name, { name, status: "down", since: at, downReason: reason });
  dropIfGone(st, name);
}

/** A replica's slot from its name ("n3-ab12cd@host" → 3); null when the name carries none. */
export function slotOf(name: string): number | null {
  const m = /^n(\d+)$/.exec(shortNodeName(name));
  return m ? Number(m[1]) : null;
}

function dropIfGone(st: NodesState, name: string): void {
  const slot = slotOf(name);
  if (slot !== null && slot > st.desired) st.nodes.delete(name);
}

/** The nodes, sorted by slot then name. */
export function nodeList(st: NodesState): ReplayNode[] {
  return [...st.nodes.values()].sort((a, b) => (slotOf(a.name) ?? 1e9) - (slotOf(b.name) ?? 1e9) || a.name.localeCompare(b.name));
}
