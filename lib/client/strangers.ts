import type { ClusterDTO, NodeDTO } from "../contracts/http-replies";

/** Where the graph draws strangers: a region of their own, apart from the replicas' hosts. */
export const STRANGERS_REGION = "strangers";

/**
 * The graph's nodes: the cluster's, then each stranger (a visible node connected to replicas that
 * is none, e.g. a plain `erl`) as an up node with no replica, flagged, in a region of its own.
 * The replicas' links already name it, so its edges come with no extra work.
 */
export function graphNodes(cluster: ClusterDTO, nodes: NodeDTO[] = cluster.nodes): NodeDTO[] {
  if (cluster.strangers.length === 0) return nodes;
  const strangers = cluster.strangers.map<NodeDTO>((s) => ({
    name: s.name,
    status: "up",
    host: STRANGERS_REGION,
    slot: null,
    links: s.links,
    sent: 0,
    received: 0,
    replica: null,
    flags: [`stranger on ${s.host}: not a replica, connected to ${s.links.length} of them`],
    since: 0,
  }));
  return [...nodes, ...strangers];
}
