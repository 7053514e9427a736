import { describe, expect, it } from "vitest";
import { ellipsePerimeter, evenOnEllipse, planRings, RING_GAP, shareOut } from "./rings";

const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

describe("dense rings", () => {
  it("approximates an ellipse's perimeter (a circle exactly)", () => {
    expect(ellipsePerimeter(10, 10)).toBeCloseTo(2 * Math.PI * 10, 6);
    expect(ellipsePerimeter(440, 200)).toBeGreaterThan(2 * Math.PI * 200);
  });

  it("shares nodes out in proportion to each ring's room, never past it while room is left", () => {
    expect(shareOut(200, [80, 60, 40, 20])).toEqual([80, 60, 40, 20]);
    const counts = shareOut(100, [80, 60, 40]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    counts.forEach((c, j) => expect(c).toBeLessThanOrEqual([80, 60, 40][j]!));
    expect(shareOut(10, [3, 2])).toEqual([8, 2]); // no room: the outer ring takes the rest
  });

  it("spaces points evenly by arc length, also at the ends of a wide ellipse", () => {
    const pts = evenOnEllipse(60, 0, 0, 440, 200);
    const gaps = pts.map((p, i) => dist(p, pts[(i + 1) % pts.length]!));
    expect(Math.max(...gaps) / Math.min(...gaps)).toBeLessThan(1.05);
    expect(pts[0]!.y).toBeCloseTo(-200, 3); // the first at the top
  });

  it("fits 200 nodes in a 1000 × 520 region with no two discs overlapping", () => {
    const { r, slots } = planRings(200, 500, 270, 480, 240, 16);
    expect(slots).toHaveLength(200);
    expect(r).toBeGreaterThanOrEqual(8);
    let closest = Infinity;
    for (let i = 0; i < slots.length; i++) for (let j = i + 1; j < slots.length; j++) closest = Math.min(closest, dist(slots[i]!, slots[j]!));
    expect(closest).toBeGreaterThanOrEqual(2 * r * 1.1);
    for (const s of slots) {
      expect(Math.abs(s.x - 500)).toBeLessThanOrEqual(480 - r);
      expect(Math.abs(s.y - 270)).toBeLessThanOrEqual(240 - r);
    }
  });

  it("shrinks the discs for a smaller room, down to the least radius", () => {
    const big = planRings(200, 0, 0, 480, 240, 16);
    const small = planRings(200, 0, 0, 300, 140, 16);
    expect(small.r).toBeLessThan(big.r);
    expect(small.r).toBeGreaterThanOrEqual(4);
    expect(RING_GAP).toBeGreaterThan(2);
  });
});
