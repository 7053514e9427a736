// Many replicas on one host (200 local ones): one ring has no room for them, so they go on
// concentric ellipses, spaced by arc length (equal angles would crowd the ends of a wide ellipse),
// with the largest disc radius at which every disc keeps clear of its neighbours.

export interface RingSlot {
  x: number;
  y: number;
  /** Direction from the centre. */
  angle: number;
}

export interface RingPlan {
  r: number;
  slots: RingSlot[];
}

/** Centre distance between neighbours, along a ring and from ring to ring, in disc radii. */
export const RING_GAP = 2.5;
/** The innermost ring's size relative to the outermost: the middle stays free for the bundled links. */
const INNER = 0.3;
const SAMPLES = 720;

interface Ring {
  rx: number;
  ry: number;
  cap: number;
}

/** Ramanujan's approximation of an ellipse's perimeter. */
export function ellipsePerimeter(rx: number, ry: number): number {
  return Math.PI * (3 * (rx + ry) - Math.sqrt((3 * rx + ry) * (rx + 3 * ry)));
}

/** The rings at disc radius r inside a room of half-sizes roomX × roomY, outermost first. */
function ringsFor(r: number, roomX: number, roomY: number): Ring[] {
  const pad = r + 6;
  const [rx0, ry0] = [roomX - pad, roomY - pad];
  const step = RING_GAP * r;
  const rings: Ring[] = [];
  for (let j = 0; ry0 > 0; j++) {
    const s = 1 - (j * step) / ry0;
    if (s < INNER) break;
    rings.push({ rx: rx0 * s, ry: ry0 * s, cap: Math.floor(ellipsePerimeter(rx0 * s, ry0 * s) / step) });
  }
  return rings;
}

/** How many nodes each ring takes: in proportion to its room, outer rings first for what is left. */
export function shareOut(n: number, caps: number[]): number[] {
  const total = caps.reduce((a, b) => a + b, 0);
  const counts = caps.map((c) => Math.min(c, Math.floor((n * c) / Math.max(1, total))));
  let left = n - counts.reduce((a, b) => a + b, 0);
  for (let j = 0; left > 0 && j < counts.length; j++) {
    const add = Math.min(left, caps[j]! - counts[j]!);
    counts[j]! += add;
    left -= add;
  }
  if (left > 0 && counts.length > 0) counts[0]! += left; // no room anywhere: the outer ring takes the rest
  return counts;
}

/** k points spaced evenly by arc length on an ellipse, the first at the top shifted by `phase` (0–1) of a step. */
export function evenOnEllipse(k: number, cx: number, cy: number, rx: number, ry: number, phase = 0): RingSlot[] {
  const ts: number[] = [];
  const lens: number[] = [0];
  for (let i = 0; i <= SAMPLES; i++) ts.push(-Math.PI / 2 + (2 * Math.PI * i) / SAMPLES);
  for (let i = 1; i <= SAMPLES; i++) {
    lens.push(lens[i - 1]! + Math.hypot(rx * (Math.cos(ts[i]!) - Math.cos(ts[i - 1]!)), ry * (Math.sin(ts[i]!) - Math.sin(ts[i - 1]!))));
  }
  const total = lens[SAMPLES]!;
  const out: RingSlot[] = [];
  let i = 1;
  for (let q = 0; q < k; q++) {
    const target = (total * (q + phase)) / k;
    while (i < SAMPLES && lens[i]! < target) i++;
    const f = (target - lens[i - 1]!) / Math.max(1e-9, lens[i]! - lens[i - 1]!);
    const t = ts[i - 1]! + (ts[i]! - ts[i - 1]!) * f;
    out.push({ x: cx + rx * Math.cos(t), y: cy + ry * Math.sin(t), angle: Math.atan2(ry * Math.sin(t), rx * Math.cos(t)) });
  }
  return out;
}

/** Places n nodes on concentric ellipses around (cx, cy): the largest radius ≤ maxR that fits, at least minR. */
export function planRings(n: number, cx: number, cy: number, roomX: number, roomY: number, maxR: number, minR = 4): RingPlan {
  let r = maxR;
  let rings = ringsFor(r, roomX, roomY);
  while (r > minR && rings.reduce((a, g) => a + g.cap, 0) < n) {
    r -= 0.5;
    rings = ringsFor(r, roomX, roomY);
  }
  if (rings.length === 0) rings = [{ rx: Math.max(1, roomX - r), ry: Math.max(1, roomY - r), cap: n }];
  const counts = shareOut(n, rings.map((g) => g.cap));
  const slots = rings.flatMap((g, j) => evenOnEllipse(counts[j]!, cx, cy, g.rx, g.ry, j % 2 === 1 ? 0.5 : 0));
  return { r, slots };
}
