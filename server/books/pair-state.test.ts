import { describe, expect, it } from "vitest";
import { PairBook } from "./pair";
import { countsOf, tentativeFor } from "./pair-state";

describe("pair state", () => {
  it("a stored pair counts and judges its seqs as the live pair does", () => {
    const p = new PairBook(1, "n1@h", 1, "n2@h", true, 0);
    p.applySent(1, 20, 0);
    p.applyRecv(7, 1, 5, 10, () => "connection lost");
    p.applyRecv(7, 8, 3, 20, () => "connection lost");
    p.judge("timeout", 6000, 15);
    const st = JSON.parse(JSON.stringify(p.toState()));
    expect(countsOf(st)).toEqual(p.counts());
    expect(countsOf(st)).toEqual({ sent: 20, received: 8, acked: 0, lost: 7, inFlight: 5 });
    for (const seq of [9, 10, 11, 15, 16]) expect(tentativeFor(st, seq)).toEqual(p.tentativeFor(seq));
    expect(tentativeFor(st, 12)).toMatchObject({ reason: "timeout", at: 6000 });
  });
});
