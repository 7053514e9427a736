import { describe, expect, it } from "vitest";
import { ReceiptMarks } from "./receipt-marks";

/** Marks made in order: [seq hi, server ms] each. */
function marks(...made: [number, number][]): ReceiptMarks {
  const m = new ReceiptMarks();
  for (const [hi, at] of made) m.mark(hi, at);
  return m;
}

describe("ReceiptMarks", () => {
  it("is overdue only past the timeout of each mark, never early", () => {
    const m = marks([10, 1000], [20, 2000]);
    expect([m.overdue(1999, 1000, 0), m.overdue(2000, 1000, 0), m.overdue(3000, 1000, 0)]).toEqual([0, 10, 20]);
  });

  it("merges marks within 50 ms into one, taking the later time (late by at most that)", () => {
    const m = marks([10, 1000], [20, 1040]);
    expect([m.overdue(2000, 1000, 0), m.overdue(2040, 1000, 0)]).toEqual([0, 20]);
  });

  it("counts from resumedAt at the earliest, and forgets what is judged", () => {
    const m = marks([10, 1000], [20, 2000]);
    expect([m.overdue(3000, 1000, 2500), m.overdue(3500, 1000, 2500)]).toEqual([0, 20]);
    m.drop(15);
    expect(m.overdue(9000, 1000, 0)).toBe(20);
    m.drop(20);
    expect(m.overdue(9000, 1000, 0)).toBe(0);
  });
});
