import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./rate-limit";

describe("TokenBuckets", () => {
  it("lets a burst through, then one call per 1/rate s, and says how long to wait", () => {
    let now = 0;
    const b = new TokenBuckets(50, 200, () => now);
    for (let i = 0; i < 200; i++) expect(b.take("t")).toBe(0);
    expect(b.take("t")).toBeCloseTo(0.02, 5);
    now += 20;
    expect(b.take("t")).toBe(0);
    expect(b.take("t")).toBeGreaterThan(0);
    now += 10_000; // refills up to the burst, no further
    for (let i = 0; i < 200; i++) expect(b.take("t")).toBe(0);
    expect(b.take("t")).toBeGreaterThan(0);
  });

  it("keeps one bucket per key", () => {
    const b = new TokenBuckets(1, 1, () => 0);
    expect(b.take("a")).toBe(0);
    expect(b.take("a")).toBe(1);
    expect(b.take("b")).toBe(0);
  });
});
