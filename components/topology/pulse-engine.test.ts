import { describe, expect, it } from "vitest";
import { pulseEngine } from "./pulse-engine";

/** A 2D context that counts what is drawn, and a frame clock the test turns by hand. */
function harness() {
  let now = 0;
  const frames = new Map<number, (t: number) => void>();
  let nextId = 0;
  const drawn = { arcs: 0, clears: 0, size: [0, 0] };
  const ctx = new Proxy({}, {
    get: (_, k) => (k === "arc" ? () => drawn.arcs++ : k === "clearRect" ? () => drawn.clears++ : () => {}),
    set: () => true,
  }) as unknown as CanvasRenderingContext2D;
  const engine = pulseEngine(
    ctx,
    (w, h) => (drawn.size = [w, h]),
    (cb) => (frames.set(++nextId, cb), nextId),
    (id) => frames.delete(id),
    () => now,
  );
  /** Runs the frames due, `ms` later. */
  const step = (ms: number) => {
    now += ms;
    const due = [...frames.values()];
    frames.clear();
    for (const f of due) f(now);
  };
  return { engine, drawn, frames, step, at: () => now };
}

const places: [string, { x: number; y: number; r: number }][] = [["a", { x: 0, y: 0, r: 10 }], ["b", { x: 300, y: 0, r: 10 }]];

describe("the pulse engine", () => {
  it("draws a pulse while it travels, then its ripple, then asks for no more frames", () => {
    const h = harness();
    h.engine.command({ t: "box", box: { x: 0, y: 0, w: 400, h: 100 }, dpr: 2 });
    expect(h.drawn.size).toEqual([800, 200]);
    h.engine.command({ t: "places", places });
    h.engine.command({ t: "pulses", pairs: [["a", "b"]] });
    expect(h.frames.size).toBe(1);
    h.step(16);
    expect(h.drawn.arcs).toBeGreaterThan(0);
    for (let i = 0; i < 200 && h.frames.size > 0; i++) h.step(16);
    expect(h.frames.size).toBe(0); // still: no frame requested
    expect(h.at()).toBeGreaterThan(600); // it travelled (≥ 520 ms) and rippled (520 ms)
  });

  it("ignores a pulse between nodes it has no place for", () => {
    const h = harness();
    h.engine.command({ t: "places", places });
    h.engine.command({ t: "pulses", pairs: [["a", "zz"]] });
    expect(h.frames.size).toBe(0);
  });

  it("samples under load: at most 90 new pulses a second", () => {
    const h = harness();
    h.engine.command({ t: "places", places });
    for (let i = 0; i < 500; i++) h.engine.command({ t: "pulses", pairs: [["a", "b"]] });
    h.step(1);
    // Each pulse is a head, a halo and three trail dots: five arcs a pulse in a frame.
    expect(h.drawn.arcs).toBe(90 * 5);
  });

  it("clears: the frame asked for is cancelled and nothing moves any more", () => {
    const h = harness();
    h.engine.command({ t: "places", places });
    h.engine.command({ t: "pulses", pairs: [["a", "b"]] });
    h.engine.command({ t: "clear" });
    expect(h.frames.size).toBe(0);
    h.engine.command({ t: "pulses", pairs: [["a", "b"]] });
    h.step(16);
    expect(h.drawn.arcs).toBe(5); // one pulse: the cleared one is gone
  });
});
