import type { HostDTO, NodeDTO } from "@/lib/contracts/http-replies";
import { planRings } from "./rings";

export interface NodePlace {
  x: number;
  y: number;
  r: number;
  /** Direction from the region centre, for labels placed outside the node. */
  angle: number;
  labelInside: boolean;
  /** One of many on concentric rings (200 on a host): a small label inside the disc, or none. */
  dense?: boolean;
}

export interface HostRegion {
  /** The group's key: the Swarm node id, else the node's host. */
  key: string;
  /** What the region is titled: the hostname. */
  host: string;
  /** The Swarm node behind the group, when the runtime has hosts (state, role, engine, cut). */
  info?: HostDTO;
  x: number;
  y: number;
  w: number;
  h: number;
  count: number;
  up: number;
  /** The centre of its nodes' ring(s): where links bundle. */
  cx: number;
  cy: number;
}

/** A distribution link: its two nodes, and whether it crosses from one host to another. */
export type TopologyEdge = [a: string, b: string, crossHost: boolean];

export interface TopologyLayout {
  regions: HostRegion[];
  places: Map<string, NodePlace>;
  /** Each node's host region. */
  regionOf: Map<string, HostRegion>;
  edges: TopologyEdge[];
}

const GAP = 14;
const ELLIPSE = 2.2;
const LABEL_H = 34;
/** A host with a state to show (Swarm) has a second header line. */
const HOST_LABEL_H = 58;
/** One ring while neighbours' centres are at least this many radii apart (2.2: the discs just touch at 2). */
const DENSE_BELOW = 2.2;
/** On dense rings, a label inside the disc from this radius; none below (the title names the node). */
export const DENSE_LABEL_MIN_R = 9;

const bySlot = (a: NodeDTO, b: NodeDTO) =>
  (a.slot ?? Number.MAX_SAFE_INTEGER) - (b.slot ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name);

/** The host a node is grouped under: its Swarm node id (a hostname can repeat), else its host. */
export function hostKey(n: NodeDTO): string {
  return n.replica?.hostId ?? n.host;
}

/**
 * Groups nodes by host (by Swarm node when the runtime has hosts; a host without replicas still
 * gets its region, so a drained or lost host shows), one region per host in a grid, nodes on a
 * circle inside each region (concentric rings when crowded); discs of at most `maxR` px (larger
 * in the presenter view).
 */
export function computeLayout(nodes: NodeDTO[], width: number, height: number, labelRoom = 0, maxR = 32, hosts: HostDTO[] = []): TopologyLayout {
  const info = new Map(hosts.map((h) => [h.id, h]));
  const groups = groupByHost(nodes, hosts);
  const { cols, rows } = bestGrid(groups.length, width, height);
  const cellW = width / cols;
  const cellH = height / rows;
  const regions: HostRegion[] = [];
  const places = new Map<string, NodePlace>();
  const regionOf = new Map<string, HostRegion>();

  groups.forEach(([key, members], i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const [x, y, w, h] = [col * cellW + GAP / 2, row * cellH + GAP / 2, cellW - GAP, cellH - GAP];
    const hostInfo = info.get(key);
    const header = hostInfo ? HOST_LABEL_H : LABEL_H;
    const region: HostRegion = {
      key,
      host: hostInfo?.hostname ?? members[0]?.host ?? key,
      ...(hostInfo ? { info: hostInfo } : {}),
      x,
      y,
      w,
      h,
      count: members.length,
      up: members.filter((n) => n.status === "up").length,
      cx: x + w / 2,
      cy: y + header + (h - header) / 2,
    };
    regions.push(region);
    for (const m of members) regionOf.set(m.name, region);
    placeOnCircle(members, region, places, labelRoom, maxR);
  });

  return { regions, places, regionOf, edges: uniqueEdges(nodes, places) };
}

function groupByHost(nodes: NodeDTO[], hosts: HostDTO[]): [string, NodeDTO[]][] {
  const map = new Map<string, NodeDTO[]>();
  for (const n of [...nodes].sort(bySlot)) {
    const list = map.get(hostKey(n));
    if (list) list.push(n);
    else map.set(hostKey(n), [n]);
  }
  const first = (e: [string, NodeDTO[]]) => e[1][0];
  const groups = [...map.entries()].sort((a, b) => bySlot(first(a)!, first(b)!));
  // Hosts with no replica (drained, down, not yet used): after the others, in the hosts' order.
  for (const h of hosts) if (!map.has(h.id)) groups.push([h.id, []]);
  return groups;
}

/** The grid whose cells are the largest squares. */
function bestGrid(k: number, width: number, height: number): { cols: number; rows: number } {
  let best = { cols: 1, rows: Math.max(1, k), side: 0 };
  for (let cols = 1; cols <= Math.max(1, k); cols++) {
    const rows = Math.ceil(k / cols);
    const side = Math.min(width / cols, height / rows);
    if (side > best.side) best = { cols, rows, side };
  }
  return best;
}

function placeOnCircle(members: NodeDTO[], region: HostRegion, places: Map<string, NodePlace>, labelRoom: number, maxR: number): void {
  if (members.length === 0) return;
  const { cx, cy } = region;
  const header = region.info ? HOST_LABEL_H : LABEL_H;
  // A ring, stretched up to ELLIPSE times wider than high in a wide region (a short graph panel).
  const roomY = Math.max(40, Math.min(region.w, region.h - header) / 2 - labelRoom);
  // Full names under the discs (labelRoom) need room at the sides too: about 90 px either way.
  const side = labelRoom > 0 ? labelRoom + 90 : 0;
  const roomX = Math.max(roomY, Math.min(region.w / 2 - side, roomY * ELLIPSE));
  const n = members.length;
  if (n === 1) {
    places.set(members[0]!.name, { x: cx, y: cy, r: Math.min(maxR + 2, roomY * 0.5), angle: -Math.PI / 2, labelInside: true });
    return;
  }
  const [a, b] = [roomX - 40, roomY - 40];
  const spacing = (2 * Math.PI * Math.sqrt((a * a + b * b) / 2)) / n;
  const r = Math.max(9, Math.min(maxR, spacing * 0.34));
  if (spacing < r * DENSE_BELOW) return placeOnRings(members, region, places, roomX, roomY, maxR);
  const labelInside = r >= 17;
  const pad = r + (labelInside ? 14 : 32);
  const [rx, ry] = [Math.max(r * 1.5, roomX - pad), Math.max(r * 1.5, roomY - pad)];
  const start = n === 2 ? Math.PI : -Math.PI / 2;
  members.forEach((node, i) => {
    const angle = start + (2 * Math.PI * i) / n;
    places.set(node.name, {
      x: cx + rx * Math.cos(angle),
      y: cy + ry * Math.sin(angle),
      r,
      angle,
      labelInside,
    });
  });
}

/** Discs would overlap on one ring: concentric rings instead, each disc clear of its neighbours. */
function placeOnRings(members: NodeDTO[], region: HostRegion, places: Map<string, NodePlace>, roomX: number, roomY: number, maxR: number): void {
  const { r, slots } = planRings(members.length, region.cx, region.cy, roomX, roomY, Math.min(maxR, 16));
  members.forEach((node, i) => {
    const s = slots[i]!;
    places.set(node.name, { x: s.x, y: s.y, r, angle: s.angle, labelInside: r >= DENSE_LABEL_MIN_R, dense: true });
  });
}

/** Each distribution connection once, whichever side reports it; marked when it crosses hosts. */
function uniqueEdges(nodes: NodeDTO[], places: Map<string, NodePlace>): TopologyEdge[] {
  // Each pair once, by the nodes' indices in a bitmap: 200 meshed nodes list 39,800 link ends,
  // and a string key a pair (with a Set of them) cost the page ~50 ms a cluster view.
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.name, i));
  const k = nodes.length;
  const seen = new Uint8Array(k * k);
  const edges: TopologyEdge[] = [];
  for (let i = 0; i < k; i++) {
    const n = nodes[i]!;
    for (const other of n.links) {
      const j = index.get(other);
      if (j === undefined || j === i || !places.has(other)) continue;
      const [lo, hi] = i < j ? [i, j] : [j, i];
      if (seen[lo * k + hi]) continue;
      seen[lo * k + hi] = 1;
      const [a, b] = n.name < other ? [n.name, other] : [other, n.name];
      edges.push([a, b, hostKey(n) !== hostKey(nodes[j]!)]);
    }
  }
  return edges;
}
