"use client";

import { useEffect, useMemo, useRef } from "react";
import { messageStore } from "@/lib/client/message-store";
import type { NodePlace } from "./layout";

const MAX_PULSES = 100;
const MAX_RIPPLES = 48;
/** New pulses allowed per second; above that receptions are sampled. */
const SPAWN_PER_SECOND = 90;
const TRAIL = [0, 0.035, 0.07, 0.105];
const RIPPLE_MS = 520;

interface Pulse {
  from: string;
  to: string;
  start: number;
  dur: number;
  active: boolean;
}

interface Ripple {
  at: string;
  start: number;
  active: boolean;
}

const ease = (t: number) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);

interface PulseLayerProps {
  places: Map<string, NodePlace>;
  width: number;
  height: number;
}

/**
 * Messages in flight as glowing dots travelling from sender to receiver, with a ripple on
 * arrival. Drawn on a canvas between the links and the nodes, a compositing layer of its own,
 * so a frame of pulses repaints neither the 1000+ links nor the nodes (as SVG pulses did).
 * requestAnimationFrame only while something moves; at most MAX_PULSES at once and
 * SPAWN_PER_SECOND new ones, the rest sampled away. None with prefers-reduced-motion.
 */
export function PulseLayer({ places, width, height }: PulseLayerProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const placesRef = useRef(places);
  // Only the part of the graph where pulses and ripples can be: a smaller canvas to hand over each frame.
  const { x, y, w, h } = pulseBox(places, width, height);
  const box = useMemo(() => ({ x, y, w, h }), [x, y, w, h]);
  const boxRef = useRef(box);

  useEffect(() => {
    placesRef.current = places;
  }, [places]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(box.w * dpr);
    canvas.height = Math.round(box.h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, -box.x * dpr, -box.y * dpr);
    boxRef.current = box;
  }, [box]);

  useEffect(() => {
    const ctx = canvasRef.current?.getContext("2d");
    if (!ctx) return;
    const pulses: Pulse[] = Array.from({ length: MAX_PULSES }, () => ({ from: "", to: "", start: 0, dur: 0, active: false }));
    const ripples: Ripple[] = Array.from({ length: MAX_RIPPLES }, () => ({ at: "", start: 0, active: false }));
    let frame = 0;
    let budget = SPAWN_PER_SECOND;
    let lastRefill = performance.now();

    const xs = new Float64Array(MAX_PULSES * TRAIL.length);
    const ys = new Float64Array(MAX_PULSES * TRAIL.length);
    const startRipple = (at: string, now: number) => {
      const free = ripples.find((r) => !r.active);
      if (free) Object.assign(free, { at, start: now, active: true });
    };

    const tick = (now: number) => {
      const { x, y, w, h } = boxRef.current;
      const map = placesRef.current;
      ctx.clearRect(x, y, w, h);
      let busy = false;
      for (const r of ripples) {
        if (!r.active) continue;
        const at = map.get(r.at);
        const t = (now - r.start) / RIPPLE_MS;
        if (!at || t >= 1) {
          r.active = false;
          continue;
        }
        busy = true;
        ctx.globalAlpha = 0.75 * (1 - t);
        ctx.strokeStyle = "#5eead4";
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.arc(at.x, at.y, at.r + 2 + 16 * Math.sqrt(t), 0, 2 * Math.PI);
        ctx.stroke();
      }
      // Where each moving pulse is: its head and the three dots of its trail.
      let n = 0;
      for (const p of pulses) {
        if (!p.active) continue;
        const a = map.get(p.from);
        const b = map.get(p.to);
        const t = (now - p.start) / p.dur;
        if (!a || !b || t >= 1) {
          p.active = false;
          if (a && b) {
            startRipple(p.to, now);
            busy = true; // drawn from the next frame
          }
          continue;
        }
        busy = true;
        for (let j = 0; j < TRAIL.length; j++) {
          const k = ease(Math.max(0, t - TRAIL[j]!));
          xs[j * MAX_PULSES + n] = a.x + (b.x - a.x) * k;
          ys[j * MAX_PULSES + n] = a.y + (b.y - a.y) * k;
        }
        n++;
      }
      // One path per kind of dot, drawn halos first, then the trails from their tails, heads on top:
      // a few fills a frame rather than five per pulse.
      const dots = (j: number, r: number, alpha: number, color: string) => {
        ctx.beginPath();
        for (let i = 0; i < n; i++) {
          const x = xs[j * MAX_PULSES + i]!;
          const y = ys[j * MAX_PULSES + i]!;
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
        }
        ctx.globalAlpha = alpha;
        ctx.fillStyle = color;
        ctx.fill();
      };
      if (n > 0) {
        dots(0, 11, 0.22, "#2dd4bf");
        for (let j = TRAIL.length - 1; j > 0; j--) dots(j, 4.2 - j * 0.8, 0.7 - j * 0.18, "#5eead4");
        dots(0, 5, 1, "#ecfffb");
      }
      ctx.globalAlpha = 1;
      frame = busy ? requestAnimationFrame(tick) : 0;
    };

    const still = window.matchMedia("(prefers-reduced-motion: reduce)");
    const off = messageStore.onReception(({ from, to }) => {
      if (from === to || document.hidden || still.matches) return;
      const a = placesRef.current.get(from);
      const b = placesRef.current.get(to);
      if (!a || !b) return;
      const now = performance.now();
      budget = Math.min(SPAWN_PER_SECOND, budget + ((now - lastRefill) / 1000) * SPAWN_PER_SECOND);
      lastRefill = now;
      if (budget < 1) return; // heavy load: sample
      const free = pulses.find((p) => !p.active);
      if (!free) return;
      budget -= 1;
      const dist = Math.hypot(b.x - a.x, b.y - a.y);
      Object.assign(free, { from, to, start: now, dur: Math.min(1100, Math.max(520, 380 + dist * 0.9)), active: true });
      if (!frame) frame = requestAnimationFrame(tick);
    });

    return () => {
      off();
      cancelAnimationFrame(frame);
      const { x, y, w, h } = boxRef.current;
      ctx.clearRect(x, y, w, h);
    };
  }, []);

  return (
    <canvas
      ref={canvasRef}
      data-testid="pulse-layer"
      aria-hidden
      className="pointer-events-none absolute"
      // A compositing layer of its own: redrawing it every frame leaves the graph's layers alone.
      style={{ left: box.x, top: box.y, width: box.w, height: box.h, willChange: "transform" }}
    />
  );
}

/** Margin around the nodes: the halo of a pulse (11) and the widest ripple (r + 18, stroke). */
const MARGIN = 24;

/** The nodes' bounding box with room for halos and ripples, within the graph; whole pixels. */
function pulseBox(places: Map<string, NodePlace>, width: number, height: number): { x: number; y: number; w: number; h: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of places.values()) {
    x0 = Math.min(x0, p.x - p.r);
    y0 = Math.min(y0, p.y - p.r);
    x1 = Math.max(x1, p.x + p.r);
    y1 = Math.max(y1, p.y + p.r);
  }
  if (x0 > x1) return { x: 0, y: 0, w: 1, h: 1 };
  const x = Math.max(0, Math.floor(x0 - MARGIN));
  const y = Math.max(0, Math.floor(y0 - MARGIN));
  const w = Math.max(1, Math.min(width, Math.ceil(x1 + MARGIN)) - x);
  const h = Math.max(1, Math.min(height, Math.ceil(y1 + MARGIN)) - y);
  return { x, y, w, h };
}
