"use client";

import { memo, useEffect, useMemo, useRef } from "react";
import type { HostRegion, NodePlace } from "./layout";
import { BUNDLE_ABOVE, type Edge, groupByHosts, linksOf, linkStroke, traceLink } from "./link-paths";

const LINK_COLOR = "#7c8da8";
const HOT_COLOR = "#38d6c4";
/** Links across hosts: their own colour, dashed (they cross the overlay between machines). */
export const CROSS_COLOR = "#a78bfa";

interface LinkLayerProps {
  edges: Edge[];
  places: Map<string, NodePlace>;
  regionOf: Map<string, HostRegion>;
  selected: string | null;
  width: number;
  height: number;
}

/**
 * The distribution links on a canvas rather than one SVG element each (a full mesh of 200 nodes is
 * 19,900 links): one compositing layer, drawn again only when the links, the nodes' places or the
 * selection change. With a node selected, the other links fade and its own are drawn on top in
 * the accent colour. Links between two hosts are dashed in their own colour. The canvas says what
 * it drew: `data-links`, `data-cross-links`, `data-highlighted`, `data-draw-ms`.
 */
export const LinkLayer = memo(function LinkLayer({ edges, places, regionOf, selected, width, height }: LinkLayerProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const bundled = edges.length > BUNDLE_ABOVE;
  const hot = useMemo(() => linksOf(edges, selected), [edges, selected]);

  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas && prepare(canvas, width, height);
    if (!ctx) return;
    const t0 = performance.now();
    const { opacity, width: lineWidth } = linkStroke(edges.length);
    ctx.strokeStyle = LINK_COLOR;
    ctx.lineWidth = lineWidth;
    ctx.globalAlpha = selected ? opacity * 0.5 : opacity;
    const alpha = ctx.globalAlpha;
    let drawn = 0;
    let across = 0;
    // One stroke per pair of hosts when bundled (19,900 curves in a handful of paths), else one
    // per link, so where links cross they add up as SVG lines would.
    const strokes = bundled ? [...groupByHosts(edges, (n) => regionOf.get(n)?.key).values()] : edges.map((e) => [e]);
    for (const group of strokes) {
      const cross = group[0]?.[2] === true;
      ctx.setLineDash(cross ? [7, 5] : []);
      ctx.strokeStyle = cross ? CROSS_COLOR : LINK_COLOR;
      ctx.globalAlpha = cross ? Math.min(0.9, alpha * 1.6) : alpha;
      const n = stroke(ctx, group, places, regionOf, bundled);
      drawn += n;
      if (cross) across += n;
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = HOT_COLOR;
    ctx.lineWidth = bundled ? 1.6 : 2.2;
    ctx.globalAlpha = 0.85;
    const highlighted = stroke(ctx, hot, places, regionOf, bundled);
    Object.assign(canvas.dataset, { links: String(drawn), crossLinks: String(across), highlighted: String(highlighted), drawMs: (performance.now() - t0).toFixed(1) });
  }, [edges, hot, selected, places, regionOf, bundled, width, height]);

  return (
    <canvas
      ref={ref}
      data-testid="link-layer"
      data-bundled={bundled}
      aria-hidden
      className="pointer-events-none absolute inset-0 block will-change-transform"
      style={{ width, height }}
    />
  );
}, sameLinks);

/** Sizes the canvas to the graph at the screen's pixel ratio and clears it. */
function prepare(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  const dpr = window.devicePixelRatio || 1;
  const [w, h] = [Math.round(width * dpr), Math.round(height * dpr)];
  if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/** Strokes these links as one path; how many had both ends placed. */
function stroke(ctx: CanvasRenderingContext2D, edges: Edge[], places: Map<string, NodePlace>, regionOf: Map<string, HostRegion>, bundled: boolean): number {
  ctx.beginPath();
  let n = 0;
  for (const [a, b] of edges) {
    const pa = places.get(a);
    const pb = places.get(b);
    if (!pa || !pb) continue;
    traceLink(ctx, pa, pb, regionOf.get(a), regionOf.get(b), bundled);
    n++;
  }
  ctx.stroke();
  return n;
}

/** A cluster push with the same links in the same places draws nothing again. */
function sameLinks(p: LinkLayerProps, q: LinkLayerProps): boolean {
  if (p.selected !== q.selected || p.width !== q.width || p.height !== q.height) return false;
  if (p.edges === q.edges && p.places === q.places) return true;
  if (p.edges.length !== q.edges.length || p.places.size !== q.places.size) return false;
  // The places once (a node each), then the links by name: not two look-ups a link (19,900 of
  // them for 200 nodes took the page ~30 ms a cluster view).
  for (const [name, a] of p.places) {
    const b = q.places.get(name);
    if (!b || a.x !== b.x || a.y !== b.y) return false;
  }
  return p.edges.every(([a, b, x], i) => {
    const [c, d, y] = q.edges[i]!;
    return a === c && b === d && x === y;
  });
}
