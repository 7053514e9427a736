"use client";

import { useEffect, useMemo, useRef } from "react";
import { messageStore } from "@/lib/client/message-store";
import type { NodePlace } from "./layout";
import { canvasPulses, type PulseCommand, SPAWN_PER_SECOND } from "./pulse-engine";

interface PulseLayerProps {
  places: Map<string, NodePlace>;
  width: number;
  height: number;
}

interface Drawer {
  send: (c: PulseCommand) => void;
  close: () => void;
  /** The close pending after an effect's cleanup (cancelled when the effect runs again). */
  closing?: ReturnType<typeof setTimeout>;
}

/** A canvas handed to a worker once (React may run an effect twice on the same element). */
const drawers = new WeakMap<HTMLCanvasElement, Drawer>();

/**
 * The canvas's drawer: in a worker, on the canvas handed over as an OffscreenCanvas, where the
 * browser can (the pulses' frames then cost the page's main thread nothing: a 2-node cluster with
 * a message every 50 ms spent ~250 ms a second of it drawing them); else on the main thread.
 */
function drawerFor(canvas: HTMLCanvasElement): Drawer | null {
  const known = drawers.get(canvas);
  if (known) {
    clearTimeout(known.closing);
    return known;
  }
  const drawer = inWorker(canvas) ?? onMainThread(canvas);
  if (drawer) drawers.set(canvas, drawer);
  return drawer;
}

function inWorker(canvas: HTMLCanvasElement): Drawer | null {
  if (typeof canvas.transferControlToOffscreen !== "function" || typeof Worker !== "function") return null;
  let worker: Worker | undefined;
  try {
    worker = new Worker(new URL("./pulse-worker.ts", import.meta.url), { type: "module" });
    const offscreen = canvas.transferControlToOffscreen();
    worker.postMessage({ t: "init", canvas: offscreen }, [offscreen]);
  } catch {
    worker?.terminate();
    return null;
  }
  canvas.dataset.drawer = "worker";
  return { send: (c) => worker.postMessage(c), close: () => worker.terminate() };
}

function onMainThread(canvas: HTMLCanvasElement): Drawer | null {
  const engine = canvasPulses(canvas);
  if (!engine) return null;
  canvas.dataset.drawer = "main";
  return { send: (c) => engine.command(c), close: () => engine.command({ t: "clear" }) };
}

/**
 * Messages in flight as glowing dots travelling from sender to receiver, with a ripple on
 * arrival (pulse-engine.ts). Drawn on a canvas between the links and the nodes, a compositing
 * layer of its own, so a frame of pulses repaints neither the 1000+ links nor the nodes; in a
 * worker where the browser can. None with prefers-reduced-motion.
 */
export function PulseLayer({ places, width, height }: PulseLayerProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawerRef = useRef<Drawer | null>(null);
  // Only the part of the graph where pulses and ripples can be: a smaller canvas to hand over each frame.
  const { x, y, w, h } = pulseBox(places, width, height);
  const box = useMemo(() => ({ x, y, w, h }), [x, y, w, h]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const drawer = canvas && drawerFor(canvas);
    if (!canvas || !drawer) return;
    drawerRef.current = drawer;
    const still = window.matchMedia("(prefers-reduced-motion: reduce)");
    // What one socket frame brought goes over in one message, at the end of its task; never more
    // than the engine can start in a second (it samples the rest anyway).
    let pairs: [string, string][] = [];
    const flush = () => {
      if (pairs.length > 0) drawer.send({ t: "pulses", pairs });
      pairs = [];
    };
    const off = messageStore.onReception(({ from, to }) => {
      if (from === to || document.hidden || still.matches || pairs.length >= SPAWN_PER_SECOND) return;
      if (pairs.length === 0) queueMicrotask(flush);
      pairs.push([from, to]);
    });
    return () => {
      off();
      pairs = [];
      drawer.send({ t: "clear" });
      drawerRef.current = null;
      // Closed unless the effect runs again on the same canvas at once (React's StrictMode does).
      const known = drawers.get(canvas);
      if (known) known.closing = setTimeout(() => (drawers.delete(canvas), known.close()), 0);
    };
  }, []);

  useEffect(() => {
    drawerRef.current?.send({ t: "box", box, dpr: window.devicePixelRatio || 1 });
  }, [box]);

  useEffect(() => {
    drawerRef.current?.send({ t: "places", places: [...places].map(([name, p]) => [name, { x: p.x, y: p.y, r: p.r }]) });
  }, [places]);

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
