// The pulse layer's worker: draws the pulses on the OffscreenCanvas the page hands over, with this
// worker's own animation frames, so they take nothing from the page's main thread.
import { type PulseCommand, pulseEngine } from "./pulse-engine";

type Init = { t: "init"; canvas: OffscreenCanvas };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Init | PulseCommand>) => void) | null;
  requestAnimationFrame(cb: (now: number) => void): number;
  cancelAnimationFrame(id: number): void;
};

let engine: ReturnType<typeof pulseEngine> | null = null;

scope.onmessage = (e) => {
  const m = e.data;
  if (m.t === "init") {
    const canvas = m.canvas;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    engine = pulseEngine(
      ctx,
      (w, h) => {
        canvas.width = w;
        canvas.height = h;
      },
      (cb) => scope.requestAnimationFrame(cb),
      (id) => scope.cancelAnimationFrame(id),
      () => performance.now(),
    );
    return;
  }
  engine?.command(m);
};
