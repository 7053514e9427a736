import type { NodeDTO } from "../contracts/http-replies";

export interface MeshProgress {
  /** Distribution links between nodes that are up (each counted once). */
  links: number;
  /** Links of a full mesh of the nodes that are up. */
  full: number;
}

/**
 * How far the mesh has formed: links between the nodes that are up, against a full mesh of them.
 * After a big deploy the nodes are up long before they are all connected (200 local replicas on
 * 2 cores: 246 of 19,900 links when the last came up). A link counts once both ends report it.
 */
export function meshProgress(nodes: readonly NodeDTO[]): MeshProgress {
  const up = new Set<string>();
  for (const n of nodes) if (n.status === "up") up.add(n.name);
  let ends = 0;
  for (const n of nodes) {
    if (!up.has(n.name)) continue;
    for (const peer of n.links) if (peer !== n.name && up.has(peer)) ends++;
  }
  return { links: Math.floor(ends / 2), full: up.size > 1 ? (up.size * (up.size - 1)) / 2 : 0 };
}
