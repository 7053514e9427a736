import { describe, expect, it } from "vitest";
import { NodeBooks } from "./node-books";
import { noLoader } from "./registry";

const A = "n1@h";

describe("NodeBooks", () => {
  it("asks the store once for an incarnation's last applied rseq, and answers the commits of what was stored", () => {
    let asked = 0;
    const nodes = new NodeBooks({ ...noLoader, applied: () => (asked++, 7) }, () => 0);
    expect(nodes.lastApplied(A, 1)).toBe(7);
    expect(nodes.lastApplied(A, 1)).toBe(7);
    expect(asked).toBe(1);
    expect(nodes.storedUpTo(A, 1)).toBe(7);
    nodes.applied(A, 1, 9);
    expect(nodes.committed([{ node: A, inc: 1, rseq: 9 }])).toEqual([{ node: A, inc: 1, upto: 9 }]);
    expect(nodes.storedUpTo(A, 1)).toBe(9);
  });

  it("says when a node comes up as a new incarnation, and remembers when each was first seen", () => {
    const nodes = new NodeBooks(noLoader, () => 0);
    expect(nodes.up(A, 1, 100)).toBe(true);
    expect(nodes.up(A, 1, 200)).toBe(false);
    expect(nodes.up(A, 2, 300)).toBe(true);
    expect([...nodes.get(A)!.seenAt]).toEqual([[1, 100], [2, 300]]);
    nodes.down(A, "killed", 400);
    expect(nodes.get(A)).toMatchObject({ up: false, down: "killed", goneAt: 400, current: 2 });
  });

  it("forgets a node down for a while only once what it reported is stored and nothing still needs it", () => {
    const nodes = new NodeBooks(noLoader, () => 0);
    nodes.up(A, 1, 0);
    nodes.applied(A, 1, 3);
    nodes.down(A, "killed", 10);
    expect(nodes.gone(A, 1, 5)).toBe(false);
    expect(nodes.gone(A, 1, 20)).toBe(true);
    nodes.prune(20, () => false);
    expect(nodes.get(A)).toBeDefined(); // rseq 3 not stored yet
    nodes.committed([{ node: A, inc: 1, rseq: 3 }]);
    nodes.prune(20, () => true);
    expect(nodes.get(A)).toBeDefined(); // still a receiver of open pairs
    nodes.prune(20, () => false);
    expect(nodes.get(A)).toBeUndefined();
  });
});
