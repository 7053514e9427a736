"use client";

import { useEffect, useRef, type RefObject } from "react";
import { messageStore } from "@/lib/client/message-store";
import type { NodePlace } from "./layout";

const MAX_PULSES = 100;
const MAX_RIPPLES = 48;
/** New pulses allowed per second; above that receptions are sampled. */
const SPAWN_PER_SECOND = 90;
const TRAIL = [0, 0.035, 0.07, 0.105];
const SVG_NS = "http://www.w3.org/2000/svg";

interface Pulse {
  el: SVGGElement;
  halo: SVGCircleElement;
  parts: SVGCircleElement[];
  from: string;
  to: string;
  start: number;
  dur: number;
  active: boolean;
}

interface Ripple {
  el: SVGCircleElement;
  at: string;
  start: number;
  active: boolean;
}

const ease = (t: number) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);

function circle(r: number, attrs: Record<string, string>): SVGCircleElement {
  const c = document.createElementNS(SVG_NS, "circle");
  c.setAttribute("r", String(r));
  for (const [k, v] of Object.entries(attrs)) c.setAttribute(k, v);
  return c;
}

/**
 * Messages in flight as glowing dots travelling from sender to receiver, with a ripple on
 * arrival. Drawn imperatively with requestAnimationFrame (no React render per frame);
 * at most MAX_PULSES at once and SPAWN_PER_SECOND new ones, the rest sampled away.
 */
export function PulseLayer({ places }: { places: RefObject<Map<string, NodePlace>> }) {
  const groupRef = useRef<SVGGElement>(null);

  useEffect(() => {
    const root = groupRef.current;
    if (!root) return;
    const pulses: Pulse[] = [];
    const ripples: Ripple[] = [];
    for (let i = 0; i < MAX_RIPPLES; i++) {
      const el = circle(10, { fill: "none", stroke: "#5eead4", "stroke-width": "2.5", opacity: "0" });
      root.appendChild(el);
      ripples.push({ el, at: "", start: 0, active: false });
    }
    for (let i = 0; i < MAX_PULSES; i++) {
      const el = document.createElementNS(SVG_NS, "g");
      el.style.display = "none";
      const halo = circle(11, { fill: "#2dd4bf", opacity: "0.22" });
      const parts = TRAIL.map((_, j) =>
        j === 0
          ? circle(5, { fill: "#ecfffb" })
          : circle(4.2 - j * 0.8, { fill: "#5eead4", opacity: String(0.7 - j * 0.18) }),
      );
      el.append(halo, ...[...parts].reverse()); // the head on top of its trail
      root.appendChild(el);
      pulses.push({ el, halo, parts, from: "", to: "", start: 0, dur: 0, active: false });
    }

    let frame = 0;
    let budget = SPAWN_PER_SECOND;
    let lastRefill = performance.now();

    const startRipple = (at: string, now: number) => {
      const free = ripples.find((r) => !r.active);
      if (!free) return;
      Object.assign(free, { at, start: now, active: true });
    };

    const tick = (now: number) => {
      let busy = false;
      for (const p of pulses) {
        if (!p.active) continue;
        const a = places.current.get(p.from);
        const b = places.current.get(p.to);
        const t = (now - p.start) / p.dur;
        if (!a || !b || t >= 1) {
          p.active = false;
          p.el.style.display = "none";
          if (a && b) startRipple(p.to, now);
          continue;
        }
        busy = true;
        p.parts.forEach((c, j) => {
          const k = ease(Math.max(0, t - TRAIL[j]!));
          const x = String(a.x + (b.x - a.x) * k);
          const y = String(a.y + (b.y - a.y) * k);
          c.setAttribute("cx", x);
          c.setAttribute("cy", y);
          if (j === 0) {
            p.halo.setAttribute("cx", x);
            p.halo.setAttribute("cy", y);
          }
        });
      }
      for (const r of ripples) {
        if (!r.active) continue;
        const at = places.current.get(r.at);
        const t = (now - r.start) / 520;
        if (!at || t >= 1) {
          r.active = false;
          r.el.setAttribute("opacity", "0");
          continue;
        }
        busy = true;
        r.el.setAttribute("cx", String(at.x));
        r.el.setAttribute("cy", String(at.y));
        r.el.setAttribute("r", String(at.r + 2 + 16 * Math.sqrt(t)));
        r.el.setAttribute("opacity", String(0.75 * (1 - t)));
      }
      frame = busy ? requestAnimationFrame(tick) : 0;
    };

    const off = messageStore.onReception(({ from, to }) => {
      if (from === to || document.hidden) return;
      const a = places.current.get(from);
      const b = places.current.get(to);
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
      free.el.style.display = "";
      if (!frame) frame = requestAnimationFrame(tick);
    });

    return () => {
      off();
      cancelAnimationFrame(frame);
      root.replaceChildren();
    };
  }, [places]);

  return <g ref={groupRef} pointerEvents="none" data-testid="pulse-layer" />;
}
