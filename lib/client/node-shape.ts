"use client";

import { useMemo, useRef } from "react";
import type { HostDTO, NodeDTO } from "../contracts/http-replies";

/** Each links array a number of its own: the live view keeps a node's array while its links stay the same. */
const linkIds = new WeakMap<readonly string[], number>();
let lastLinkId = 0;
function linksId(links: readonly string[]): number {
  let id = linkIds.get(links);
  if (id === undefined) linkIds.set(links, (id = ++lastLinkId));
  return id;
}

/**
 * The nodes' shape as a string: names, slots, hosts, statuses and links (and the hosts), not the
 * counters. A cluster push every second moves the counters of 200 nodes, seldom their shape; what
 * reads only the shape (the graph's layout, 19,900 links; the mesh's progress) keys on this.
 * Links count as the same while they are the same array (lib/contracts/socket.ts liveCluster).
 */
export function nodesShape(nodes: readonly NodeDTO[], hosts: readonly HostDTO[] = []): string {
  let key = JSON.stringify(hosts);
  for (const n of nodes) key += `\n${n.name}\t${n.slot}\t${n.host}\t${n.replica?.hostId ?? ""}\t${n.status}\t${linksId(n.links)}`;
  return key;
}

const NO_HOSTS: HostDTO[] = [];

/**
 * The nodes (and hosts) as they were when their shape last changed: the same arrays while only
 * counters move, so a useMemo on them runs once per change of shape, not once per push.
 */
export function useShapeStable(nodes: NodeDTO[], hosts: HostDTO[] = NO_HOSTS): { nodes: NodeDTO[]; hosts: HostDTO[] } {
  const shape = useMemo(() => nodesShape(nodes, hosts), [nodes, hosts]);
  const kept = useRef({ shape, nodes, hosts });
  if (kept.current.shape !== shape) kept.current = { shape, nodes, hosts };
  return kept.current;
}
