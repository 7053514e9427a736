import { describe, expect, it } from "vitest";
import { A, B, recvRun, report, sentRun, setup, stats } from "./test-frames";

describe("reconciliation with the nodes' own counters", () => {
  function run() {
    const s = setup();
    s.books.onNodeUp(A, 1);
    s.books.onNodeUp(B, 2);
    s.books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 100)], failed: [[B, 2]] }));
    s.books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 100)] }));
    s.books.onReport(report(A, 1, 2, { acked: [[B, 100, 2_000_000, 1_000_990]] }));
    return s;
  }

  it("is ok when every pair matches, at each node's stats", () => {
    const { books } = run();
    books.onStats(stats(A, 1, 2, { sentTo: [[B, 100]], failedTo: [[B, 2]], ackedBy: [[B, 100]] }));
    books.onStats(stats(B, 2, 1, { recvFrom: [[A, 1, 100, 100]] }));
    expect(books.stats().reconciled).toEqual({ ok: true, pairs: 2, nodes: 2, mismatches: [] });
  });

  it("names the pair, the field and both numbers when they differ", () => {
    const { books } = run();
    books.onStats(stats(A, 1, 2, { sentTo: [[B, 101]], failedTo: [[B, 2]], ackedBy: [[B, 100]] }));
    books.onStats(stats(B, 2, 1, { recvFrom: [[A, 1, 99, 100]] }));
    expect(books.stats().reconciled).toEqual({
      ok: false, pairs: 2, nodes: 2,
      mismatches: [
        { from: A, to: B, field: "sent", dashboard: 100, node: 101 },
        { from: A, to: B, field: "received", dashboard: 100, node: 99 },
      ],
    });
  });

  it("says when the dashboard has not applied every report the stats count (a report lost on the way)", () => {
    const { books } = run();
    books.onStats(stats(A, 1, 3, { sentTo: [[B, 100]] }));
    expect(books.stats().reconciled.mismatches).toEqual([{ from: A, to: "*", field: "rseq", dashboard: 2, node: 3 }]);
  });

  it("a pair the books have and the node does not list is a mismatch too; a node down is no longer compared", () => {
    const { books } = run();
    books.onStats(stats(A, 1, 2, { sentTo: [], failedTo: [], ackedBy: [] }));
    expect(books.stats().reconciled.mismatches).toEqual([{ from: A, to: B, field: "sent", dashboard: 100, node: 0 }]);
    books.onNodeDown(A, "connection_closed");
    expect(books.stats().reconciled).toMatchObject({ ok: true, nodes: 0 });
  });
});
