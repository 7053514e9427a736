import { describe, expect, it } from "vitest";
import { nearestRank, percentile } from "./percentile";

describe("nearest-rank percentiles", () => {
  it("takes the value at rank ceil(p/100 · n), at least the first", () => {
    const v = Array.from({ length: 200 }, (_, i) => i + 1); // 1..200
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile(v, 100)]).toEqual([100, 190, 198, 200]);
    expect([percentile([7], 50), percentile([7], 99), percentile([1, 2], 0)]).toEqual([7, 7, 1]);
    expect(percentile([], 50)).toBeNull();
    expect([nearestRank(50, 3), nearestRank(95, 3), nearestRank(1, 1000), nearestRank(0, 5)]).toEqual([2, 3, 10, 1]);
  });
});
