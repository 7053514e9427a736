import type { NodeDTO } from "@/lib/contracts/http-replies";

export interface NodePlace {
  x: number;
  y: number;
  r: number;
  /** Direction from the region centre, for labels placed outside the node. */
  angle: number;
  labelInside: boolean;
}

export interface HostRegion {
  host: string;
  x: number;
  y: number;
  w: number;
  h: number;
  count: number;
  up: number;
}

export interface TopologyLayout {
  regions: HostRegion[];
  places: Map<string, NodePlace>;
  edges: [string, string][];
}

const GAP = 14;
const ELLIPSE = 2.2;
const LABEL_H = 34;

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

  groups.forEach(([host, members], i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const region: HostRegion = {
      host,
      x: col * cellW + GAP / 2,
      y: row * cellH + GAP / 2,
      w: cellW - GAP,
      h: cellH - GAP,
      count: members.length,
      up: members.filter((n) => n.status === "up").length,
    };
    regions.push(region);
    placeOnCircle(members, region, places, labelRoom, maxR);
  });

  return { regions, places, edges: uniqueEdges(nodes, places) };
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
  const cx = region.x + region.w / 2;
  const cy = region.y + LABEL_H + (region.h - LABEL_H) / 2;
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
