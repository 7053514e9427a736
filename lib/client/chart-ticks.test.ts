import { describe, expect, it } from "vitest";
import { fixedTicks, niceTicks } from "./chart-ticks";

// Expected values are what recharts (the charts' former library) gives for the same axes.
describe("chart ticks", () => {
  it("rounds the top of a rate axis over the data, five ticks from zero", () => {
    expect(niceTicks(2050, true)).toEqual({ ticks: [0, 550, 1100, 1650, 2200], top: 2200 });
    expect(niceTicks(10007, true).ticks).toEqual([0, 3000, 6000, 9000, 12000]);
    expect(niceTicks(0, true)).toEqual({ ticks: [0, 1, 2, 3, 4], top: 4 });
  });

  it("allows decimals on a latency axis", () => {
    expect(niceTicks(0.27, false).ticks).toEqual([0, 0.07, 0.14, 0.21, 0.28]);
    expect(niceTicks(42.5, false).ticks).toEqual([0, 15, 30, 45, 60]);
  });

  it("keeps a fixed top (nodes up + 1) as the last tick", () => {
    expect(fixedTicks(51, true)).toEqual({ ticks: [0, 15, 30, 45, 51], top: 51 });
    expect(fixedTicks(3, true).ticks).toEqual([0, 1, 2, 3]);
  });

  it("gives a short chart three ticks over the same range", () => {
    expect(niceTicks(4, true, 3)).toEqual({ ticks: [0, 2, 4], top: 4 });
    expect(niceTicks(2050, true, 3)).toEqual({ ticks: [0, 1500, 3000], top: 3000 });
    expect(fixedTicks(51, true, 3).ticks).toEqual([0, 30, 51]);
  });
});
