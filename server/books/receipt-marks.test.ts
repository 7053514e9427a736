import { describe, expect, it } from "vitest";
import { ReceiptMarks } from "./receipt-marks";

describe("ReceiptMarks", () => {
  it("is overdue only past the timeout of each mark, never early", () => {
    const m = new ReceiptMarks();
    m.mark(10, 1000);
    m.mark(20, 2000);
    expect(m.overdue(1999, 1000, 0)).toBe(0);
    expect(m.overdue(2000, 1000, 0)).toBe(10);
    expect(m.overdue(3000, 1000, 0)).toBe(20);
  });

  it("merges marks within 50 ms into one, taking the later time (late by at most that)", () => {
    const m = new ReceiptMarks();
    m.mark(10, 1000);
    m.mark(20, 1040);
    expect(m.overdue(2000, 1000, 0)).toBe(0);
    expect(m.overdue(2040, 1000, 0)).toBe(20);
  });

  it("counts from resumedAt at the earliest, and forgets what is judged", () => {
    const m = new ReceiptMarks();
    m.mark(10, 1000);
    m.mark(20, 2000);
    expect(m.overdue(3000, 1000, 2500)).toBe(0);
    expect(m.overdue(3500, 1000, 2500)).toBe(20);
    m.drop(15);
    expect(m.overdue(9000, 1000, 0)).toBe(20);
    m.drop(20);
    expect(m.overdue(9000, 1000, 0)).toBe(0);
  });
});
