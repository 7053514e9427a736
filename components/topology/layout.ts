import type { NodeDTO } from "@/lib/contracts/http-replies";
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
  host: string;
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

export interface TopologyLayout {
  regions: HostRegion[];
  places: Map<string, NodePlace>;
  /** Each node's host region. */
  regionOf: Map<string, HostRegion>;
  edges: [string, string][];
}

const GAP = 14;
const ELLIPSE = 2.2;
const LABEL_H = 34;
/** One ring while neighbours' centres are at least this many radii apart (2.2: the discs just touch at 2). */
const DENSE_BELOW = 2.2;
/** On dense rings, a label inside the disc from this radius; none below (the title names the node). */
export const DENSE_LABEL_MIN_R = 9;

const bySlot = (a: NodeDTO, b: NodeDTO) =>
  (a.slot ?? Number.MAX_SAFE_INTEGER) - (b.slot ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name);

/**
 * Groups nodes by host, one region per host in a grid, nodes on a circle inside each region;
 * discs of at most `maxR` px (larger in the presenter view).
 */
export function computeLayout(nodes: NodeDTO[], width: number, height: number, labelRoom = 0, maxR = 32): TopologyLayout {
  const groups = groupByHost(nodes);
  const { cols, rows } = bestGrid(groups.length, width, height);
  const cellW = width / cols;
  const cellH = height / rows;
  const regions: HostRegion[] = [];
  const places = new Map<string, NodePlace>();
  const regionOf = new Map<string, HostRegion>();

  groups.forEach(([host, members], i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const [x, y, w, h] = [col * cellW + GAP / 2, row * cellH + GAP / 2, cellW - GAP, cellH - GAP];
    const region: HostRegion = {
      host,
      x,
      y,
      w,
      h,
      count: members.length,
      up: members.filter((n) => n.status === "up").length,
      cx: x + w / 2,
      cy: y + LABEL_H + (h - LABEL_H) / 2,
    };
    regions.push(region);
    for (const m of members) regionOf.set(m.name, region);
    placeOnCircle(members, region, places, labelRoom, maxR);
  });

  return { regions, places, regionOf, edges: uniqueEdges(nodes, places) };
}

function groupByHost(nodes: NodeDTO[]): [string, NodeDTO[]][] {
  const map = new Map<string, NodeDTO[]>();
  for (const n of [...nodes].sort(bySlot)) {
    const list = map.get(n.host);
    if (list) list.push(n);
    else map.set(n.host, [n]);
  }
  return [...map.entries()].sort((a, b) => bySlot(a[1][0]!, b[1][0]!));
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
  const { cx, cy } = region;
  // A ring, stretched up to ELLIPSE times wider than high in a wide region (a short graph panel).
  const roomY = Math.max(40, Math.min(region.w, region.h - LABEL_H) / 2 - labelRoom);
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

/** Each distribution connection once, whichever side reports it. */
function uniqueEdges(nodes: NodeDTO[], places: Map<string, NodePlace>): [string, string][] {
  const seen = new Set<string>();
  const edges: [string, string][] = [];
  for (const n of nodes) {
    for (const other of n.links) {
      if (other === n.name || !places.has(other)) continue;
      const [a, b] = n.name < other ? [n.name, other] : [other, n.name];
      const key = `${a}\u0000${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push([a, b]);
    }
  }
  return edges;
}
