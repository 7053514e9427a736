// The messages in flight as glowing dots, and a ripple on arrival: the drawing behind the graph's
// pulse layer. No React and no DOM: it draws on any 2D context, on the page's main thread or, where
// the browser can, in a worker on an OffscreenCanvas (pulse-worker.ts), so a storm's pulses cost
// the page's main thread no frame at all.

const MAX_PULSES = 100;
const MAX_RIPPLES = 48;
/** New pulses allowed per second; above that receptions are sampled. */
export const SPAWN_PER_SECOND = 90;
const TRAIL = [0, 0.035, 0.07, 0.105];
const RIPPLE_MS = 520;

/** Where a node is drawn (the graph's layout). */
export interface PulsePlace {
  x: number;
  y: number;
  r: number;
}

/** The part of the graph the canvas covers, in CSS px. */
export interface PulseBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What the page tells the engine (posted to the worker as is). */
export type PulseCommand =
  | { t: "box"; box: PulseBox; dpr: number }
  | { t: "places"; places: [string, PulsePlace][] }
  /** Receptions, in order: what one socket frame brought (one message to the worker, not one per reception). */
  | { t: "pulses"; pairs: [from: string, to: string][] }
  | { t: "clear" };

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

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

/**
 * One canvas's pulses: at most MAX_PULSES at once and SPAWN_PER_SECOND new ones, the rest sampled
 * away; frames requested (`frame`) only while something moves. `resize` sets the canvas's pixel
 * size (the element's on the main thread, the OffscreenCanvas's in a worker).
 */
export function pulseEngine(
  ctx: Ctx,
  resize: (w: number, h: number) => void,
  frame: (cb: (now: number) => void) => number,
  cancel: (id: number) => void,
  clock: () => number,
) {
  const pulses: Pulse[] = Array.from({ length: MAX_PULSES }, () => ({ from: "", to: "", start: 0, dur: 0, active: false }));
  const ripples: Ripple[] = Array.from({ length: MAX_RIPPLES }, () => ({ at: "", start: 0, active: false }));
  const xs = new Float64Array(MAX_PULSES * TRAIL.length);
  const ys = new Float64Array(MAX_PULSES * TRAIL.length);
  let places = new Map<string, PulsePlace>();
  let box: PulseBox = { x: 0, y: 0, w: 1, h: 1 };
  let pending = 0;
  let budget = SPAWN_PER_SECOND;
  let lastRefill = clock();

  const startRipple = (at: string, now: number) => {
    const free = ripples.find((r) => !r.active);
    if (free) Object.assign(free, { at, start: now, active: true });
  };

  const tick = (now: number) => {
    const { x, y, w, h } = box;
    ctx.clearRect(x, y, w, h);
    let busy = false;
    for (const r of ripples) {
      if (!r.active) continue;
      const at = places.get(r.at);
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
      const a = places.get(p.from);
      const b = places.get(p.to);
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
        const px = xs[j * MAX_PULSES + i]!;
        const py = ys[j * MAX_PULSES + i]!;
        ctx.moveTo(px + r, py);
        ctx.arc(px, py, r, 0, 2 * Math.PI);
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
    pending = busy ? frame(tick) : 0;
  };

  const spawn = (from: string, to: string) => {
    const a = places.get(from);
    const b = places.get(to);
    if (!a || !b) return;
    const now = clock();
    budget = Math.min(SPAWN_PER_SECOND, budget + ((now - lastRefill) / 1000) * SPAWN_PER_SECOND);
    lastRefill = now;
    if (budget < 1) return; // heavy load: sample
    const free = pulses.find((p) => !p.active);
    if (!free) return;
    budget -= 1;
    const dist = Math.hypot(b.x - a.x, b.y - a.y);
    Object.assign(free, { from, to, start: now, dur: Math.min(1100, Math.max(520, 380 + dist * 0.9)), active: true });
    if (!pending) pending = frame(tick);
  };

  return {
    command(c: PulseCommand): void {
      switch (c.t) {
        case "box":
          box = c.box;
          resize(Math.round(box.w * c.dpr), Math.round(box.h * c.dpr));
          ctx.setTransform(c.dpr, 0, 0, c.dpr, -box.x * c.dpr, -box.y * c.dpr);
          break;
        case "places":
          places = new Map(c.places);
          break;
        case "pulses":
          for (const [from, to] of c.pairs) spawn(from, to);
          break;
        case "clear":
          cancel(pending);
          pending = 0;
          for (const p of pulses) p.active = false;
          for (const r of ripples) r.active = false;
          ctx.clearRect(box.x, box.y, box.w, box.h);
          break;
      }
    },
  };
}

/**
 * The engine for a canvas with the browser's own frames and clock: the page's element on the main
 * thread, or the OffscreenCanvas a worker was handed (pulse-worker.ts).
 */
export function canvasPulses(canvas: HTMLCanvasElement | OffscreenCanvas): ReturnType<typeof pulseEngine> | null {
  // Both kinds give the same 2D drawing API; TypeScript cannot call getContext on the union.
  const ctx = (canvas as OffscreenCanvas).getContext("2d");
  if (!ctx) return null;
  return pulseEngine(
    ctx,
    (w, h) => {
      canvas.width = w;
      canvas.height = h;
    },
    (cb) => requestAnimationFrame(cb),
    (id) => cancelAnimationFrame(id),
    () => performance.now(),
  );
}
