import { describe, expect, it } from "vitest";
import { attributeRun, forEachOneWay, lastVarint } from "./run-times";
import { SeriesDeltas } from "./series-agg";
import { encodeVarints } from "./varint";

describe("run times", () => {
  it("puts a run within one second in that second, undecoded", () => {
    const s = new SeriesDeltas();
    attributeRun(s, "sent", { first: 5_000_100, last: 5_900_000, deltas: null, n: 10 }, 0);
    expect([...s.counts]).toEqual([[5, { sent: 10, received: 0, lost: 0 }]]);
  });

  it("spreads a run across seconds by its deltas, from message fromK on", () => {
    const s = new SeriesDeltas();
    const deltas = encodeVarints([400_000, 400_000, 400_000]); // 1.0, 1.4, 1.8, 2.2 s
    attributeRun(s, "received", { first: 1_000_000, last: 2_200_000, deltas, n: 4 }, 1);
    expect([...s.counts].map(([sec, c]) => [sec, c.received])).toEqual([[1, 2], [2, 1]]);
  });

  it("gives each message's one-way latency at its own reception time", () => {
    const run = { first: 1_000_000, last: 2_200_000, deltas: encodeVarints([400_000, 400_000, 400_000]), n: 4 };
    const seen: [number, number][] = [];
    forEachOneWay(run, encodeVarints([10, 20, 30, 40]), 2, (t1, us) => seen.push([t1, us]));
    expect(seen).toEqual([[1_800_000, 30], [2_200_000, 40]]);
    expect(lastVarint(encodeVarints([10, 20, 30, 40]), 3)).toBe(30);
  });
});
