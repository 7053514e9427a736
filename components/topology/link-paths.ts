import type { HostRegion, NodePlace } from "./layout";

// The geometry of the distribution links, apart from drawing it (a canvas, or a recorder in tests).
// Up to a full mesh of 50 nodes (1,225 links) every link is a straight line, as it always was.
// Beyond that (200 nodes: 19,900 links) links bundle: inside a host they bow through the middle of
// the host's rings, between hosts they run through both hosts' centres, so the mesh reads as a
// few strands rather than a solid blur.

/** What a link is drawn into: CanvasRenderingContext2D and Path2D both are. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  quadraticCurveTo(cx: number, cy: number, x: number, y: number): void;
  bezierCurveTo(c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number): void;
}

/** Links beyond this many are bundled (a full mesh of 50 nodes is 1,225). */
export const BUNDLE_ABOVE = 1225;
/** How far towards its host's centre a bundled link is pulled (0: straight, 1: through the centre). */
export const PULL = 0.85;

/** A link: its two nodes, and whether it crosses from one host to another. */
export type Edge = [a: string, b: string, crossHost?: boolean];

const towards = (p: { x: number; y: number }, cx: number, cy: number, k: number): [number, number] => [p.x + (cx - p.x) * k, p.y + (cy - p.y) * k];

/** One link from a to b: straight, or bundled through its hosts' centres. */
export function traceLink(sink: PathSink, a: NodePlace, b: NodePlace, ra: HostRegion | undefined, rb: HostRegion | undefined, bundled: boolean): void {
  sink.moveTo(a.x, a.y);
  if (!bundled || !ra || !rb) return sink.lineTo(b.x, b.y);
  if (ra === rb) {
    const [qx, qy] = towards({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, ra.cx, ra.cy, PULL);
    return sink.quadraticCurveTo(qx, qy, b.x, b.y);
  }
  const [c1x, c1y] = towards(a, ra.cx, ra.cy, PULL);
  const [c2x, c2y] = towards(b, rb.cx, rb.cy, PULL);
  sink.bezierCurveTo(c1x, c1y, c2x, c2y, b.x, b.y);
}

/** The links grouped by the pair of hosts they join ("h1|h1" inside h1, "h1|h2" between): one stroke each when bundled. */
export function groupByHosts(edges: Edge[], hostOf: (node: string) => string | undefined): Map<string, Edge[]> {
  const groups = new Map<string, Edge[]>();
  for (const e of edges) {
    const [ha, hb] = [hostOf(e[0]) ?? "", hostOf(e[1]) ?? ""];
    const key = ha <= hb ? `${ha}|${hb}` : `${hb}|${ha}`;
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  return groups;
}

export interface LinkCount {
  a: string;
  b: string;
  count: number;
}

/** Links per host group: inside each host (a === b) and between each pair of hosts. */
export function countLinks(edges: Edge[], hostOf: (node: string) => string | undefined): LinkCount[] {
  return [...groupByHosts(edges, hostOf)].map(([key, list]) => {
    const [a, b] = key.split("|") as [string, string];
    return { a, b, count: list.length };
  });
}

/** The links' stroke: fainter the more there are (the SVG graph's ladder up to 1,225), and how thick. */
export function linkStroke(count: number): { opacity: number; width: number } {
  if (count > BUNDLE_ABOVE) return { opacity: 0.16, width: 0.8 };
  const opacity = count > 1000 ? 0.07 : count > 400 ? 0.12 : count > 120 ? 0.22 : 0.4;
  return { opacity, width: 1.4 };
}

/** The selected node's links. */
export function linksOf(edges: Edge[], node: string | null): Edge[] {
  return node ? edges.filter(([a, b]) => a === node || b === node) : [];
}
