import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { nearestRank, percentile, percentileDiscFraction } from "./percentile";

describe("nearest-rank percentiles", () => {
  it("takes the value at rank ceil(p/100 · n), at least the first", () => {
    const v = Array.from({ length: 200 }, (_, i) => i + 1); // 1..200
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile(v, 100)]).toEqual([100, 190, 198, 200]);
    expect([percentile([7], 50), percentile([7], 99), percentile([1, 2], 0)]).toEqual([7, 7, 1]);
    expect(percentile([], 50)).toBeNull();
    expect([nearestRank(50, 3), nearestRank(95, 3), nearestRank(1, 1000), nearestRank(0, 5)]).toEqual([2, 3, 10, 1]);
  });

  it("gives the fraction that makes SQLite's percentile_disc() land on the same value", () => {
    const db = new Database(":memory:");
    try {
      db.exec("CREATE TABLE t (v REAL)");
      const insert = db.prepare("INSERT INTO t VALUES (?)");
      const pick = db.prepare("SELECT percentile_disc(v, ?) FROM t").pluck();
      const values: number[] = [];
      for (let n = 1; n <= 120; n++) {
        const v = (n * 7919) % 1000; // not inserted in order
        insert.run(v);
        values.push(v);
        const sorted = [...values].sort((a, b) => a - b);
        for (const p of [1, 50, 95, 99, 100]) expect(pick.get(percentileDiscFraction(p, n))).toBe(percentile(sorted, p));
      }
    } finally {
      db.close();
    }
  });
});
