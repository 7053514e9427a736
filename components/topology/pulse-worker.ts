// The pulse layer's worker: draws the pulses on the OffscreenCanvas the page hands over, with this
// worker's own animation frames, so they take nothing from the page's main thread.
import { canvasPulses, type PulseCommand } from "./pulse-engine";

type Init = { t: "init"; canvas: OffscreenCanvas };

let engine: ReturnType<typeof canvasPulses> = null;

self.onmessage = (e: MessageEvent<Init | PulseCommand>) => {
  const m = e.data;
  if (m.t === "init") engine = canvasPulses(m.canvas);
  else engine?.command(m);
};
