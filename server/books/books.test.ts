import { describe, expect, it } from "vitest";
import { A, B, C, invariantHolds, recvRun, report, sentRun, setup } from "./test-frames";

describe("books: folding reports", () => {
  it("applies a report exactly once by rseq, and commits again what is already stored", () => {
    const { books, batch, commits } = setup();
    books.onNodeUp(A, 100);
    const r1 = report(A, 100, 1, { sent: [sentRun(B, 1, 500)] });
    books.onReport(r1);
    books.onReport(r1); // the outbox sent again after a bridge restart, before the commit
    expect(books.stats()).toMatchObject({ sent: 500, inFlight: 500 });
    books.committed(batch.take().applied.values());
    expect(commits).toEqual([{ node: A, inc: 100, upto: 1 }]);
    books.onReport(r1); // again, after the commit was lost with the bridge: commit again
    expect(commits).toEqual([{ node: A, inc: 100, upto: 1 }, { node: A, inc: 100, upto: 1 }]);
    expect(books.stats().sent).toBe(500);
  });

  it("gives the same totals whatever order the pairs' reports come in (out-of-order between pairs)", () => {
    const a = setup();
    const b = setup();
    const frames = [
      report(A, 1, 1, { sent: [sentRun(B, 1, 100), sentRun(C, 1, 50)] }),
      report(B, 2, 1, { recv: [recvRun(A, 1, 1, 60)], sent: [sentRun(C, 1, 10)] }),
      report(C, 3, 1, { recv: [recvRun(A, 1, 1, 50), recvRun(B, 2, 1, 10)] }),
      report(B, 2, 2, { recv: [recvRun(A, 1, 61, 40)] }),
      report(A, 1, 2, { sent: [sentRun(B, 101, 5)] }),
    ];
    for (const f of frames) a.books.onReport(f);
    for (const f of [frames[2]!, frames[1]!, frames[3]!, frames[4]!, frames[0]!]) b.books.onReport(f);
    const { at: _a, ...sa } = a.books.stats();
    const { at: _b, ...sb } = b.books.stats();
    expect(sa).toEqual(sb);
    expect(sa).toMatchObject({ sent: 165, received: 160, lost: 0, inFlight: 5 });
    expect(sa.perNode[A]).toMatchObject({ sent: 155, received: 150, inFlight: 5 });
    expect(a.books.inboundOf(B)).toBe(100);
    expect(invariantHolds(a.books)).toBe(true);
  });

  it("lists the pairs that carried traffic with their exact books, the latest to receive first (a socket snapshot's runs)", () => {
    const { books, clock } = setup();
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 100), sentRun(C, 1, 50)] }));
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 100)] }));
    clock.t += 1000;
    books.onReport(report(C, 3, 1, { recv: [recvRun(A, 1, 1, 40)] }));
    expect(books.recentPairs(5).map(({ from, to, sent, received, inFlight }) => ({ from, to, sent, received, inFlight }))).toEqual([
      { from: A, to: C, sent: 50, received: 40, inFlight: 10 },
      { from: A, to: B, sent: 100, received: 100, inFlight: 0 },
    ]);
    expect(books.recentPairs(1).map((p) => p.to)).toEqual([C]);
  });

  it("a gap is lost exactly, with `partition` when the link was seen cut since the last reception", () => {
    const { books, clock } = setup();
    books.onLinks(A, [B]);
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 100)] }));
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 40)] }));
    clock.t += 10;
    books.onLinks(A, []); // the link A–B cut
    books.onLinks(A, [B]);
    books.onReport(report(B, 2, 2, { recv: [recvRun(A, 1, 61, 40)] }));
    expect(books.stats()).toMatchObject({ sent: 100, received: 80, lost: 20, inFlight: 0 });
    expect(books.message("p1.45")).toMatchObject({ status: "lost", reason: "partition", from: A, to: B });
    expect(books.message("p1.30")).toMatchObject({ status: "received" });
    expect(books.message("p1.101")).toBeUndefined();
  });

  it("counts seed receptions, also those whose events the node left out", () => {
    const { books } = setup();
    const seed = { e: "received", id: "seed-n2-1", from: "stranger@h", t0: null, t: 2_000_000, content: "hi", seed: true };
    books.onReport(report(B, 2, 1, { seed: 3, events: [seed] }));
    const st = books.stats();
    expect(st).toMatchObject({ sent: 3, received: 3, inFlight: 0 });
    expect(st.perNode["stranger@h"]).toMatchObject({ sent: 1, received: 1 });
    expect(st.perNode["(other seed senders)"]).toMatchObject({ sent: 2 });
    expect(books.tracked.get("seed-n2-1")).toMatchObject({ seed: true, status: "received", from: "stranger@h", to: B });
  });

  it("bounds seed senders: a flood of distinct From values stays a few rows", () => {
    const { books } = setup();
    const events = Array.from({ length: 500 }, (_, i) => ({ e: "received", id: `seed-${i}`, from: `s${i}@h`, t0: null, t: 2_000_000 + i, content: "x", seed: true }));
    books.onReport(report(B, 2, 1, { seed: 500, events }));
    const st = books.stats();
    expect(Object.keys(st.perNode).length).toBeLessThanOrEqual(65);
    expect(st).toMatchObject({ sent: 500, received: 500 });
    expect(invariantHolds(books)).toBe(true);
  });

  it("follows a traffic run's sends exactly from its traffic_sent events", () => {
    const { books, runs } = setup();
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 200)], events: [{ e: "traffic_sent", run: "t1", sent: 200 }] }));
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 200)], events: [{ e: "traffic_sent", run: "t1", sent: 200 }] })); // again: ignored
    books.onReport(report(A, 1, 2, { sent: [sentRun(B, 201, 50)], events: [{ e: "traffic_sent", run: "t1", sent: 50 }] }));
    expect(runs.get("t1")).toBe(250);
  });
});

describe("books: verdicts", () => {
  it("a send reported after its receiver restarted and came back is lost with the restart, not a timeout", () => {
    const { books, clock } = setup();
    books.onNodeUp(B, 2);
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)] }));
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)] }));
    books.onNodeDown(B, "killed");
    books.onNodeUp(B, 3);
    books.onReport(report(A, 1, 2, { sent: [sentRun(B, 2, 2)] })); // sent to the old B, reported late
    clock.t += 1001;
    books.sweep();
    expect(books.message("p1.2")).toMatchObject({ status: "lost", reason: "receiver restarted" });
    expect(books.stats()).toMatchObject({ sent: 3, received: 1, lost: 2, inFlight: 0 });
  });

  it("judges a timeout on the server's receipt clock, and a late reception overturns it once", () => {
    const { books, clock } = setup();
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 10)] }));
    clock.t += 1001;
    books.sweep();
    expect(books.stats()).toMatchObject({ sent: 10, lost: 10, inFlight: 0 });
    expect(books.message("p1.3")).toMatchObject({ status: "lost", reason: "timeout (not received within 1000 ms)" });
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 10)] }));
    expect(books.stats()).toMatchObject({ sent: 10, received: 10, lost: 0, inFlight: 0 });
    expect(invariantHolds(books)).toBe(true);
  });

  it("makes no verdict while the bridge is down, nor for the time it was down", () => {
    const { books, clock } = setup();
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 10)] }));
    books.setBridgeUp(false);
    clock.t += 60_000;
    books.sweep();
    expect(books.stats()).toMatchObject({ lost: 0, inFlight: 10 });
    books.setBridgeUp(true);
    clock.t += 999;
    books.sweep();
    expect(books.stats().lost).toBe(0);
    clock.t += 2;
    books.sweep();
    expect(books.stats().lost).toBe(10);
  });

  it("makes no verdict while the store refuses writes (the nodes' outboxes are full, not lost)", () => {
    const { books, clock } = setup();
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 10)] }));
    books.setStoreOk(false);
    clock.t += 5000;
    books.sweep();
    expect(books.stats().lost).toBe(0);
    books.setStoreOk(true);
    clock.t += 1001;
    books.sweep();
    expect(books.stats().lost).toBe(10);
  });

  it("a receiver going down loses what was in flight to it (receiver_down), also what is reported sent afterwards", () => {
    const { books } = setup();
    books.onNodeUp(B, 2);
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 10)] }));
    books.onNodeDown(B, "connection_closed");
    books.onReport(report(A, 1, 2, { sent: [sentRun(B, 11, 5)] }));
    expect(books.stats()).toMatchObject({ sent: 15, lost: 15, inFlight: 0 });
    expect(books.message("p1.12")).toMatchObject({ status: "lost", reason: "receiver_down (connection_closed)" });
    // It comes back as a new incarnation that got 13..15 only: 1..12 are lost exactly.
    books.onNodeUp(B, 3);
    books.onReport(report(B, 3, 1, { recv: [recvRun(A, 1, 13, 3)] }));
    expect(books.stats()).toMatchObject({ sent: 15, received: 3, lost: 12, inFlight: 0 });
    expect(books.message("p1.5")).toMatchObject({ status: "lost", reason: "receiver restarted" });
    expect(invariantHolds(books)).toBe(true);
  });

  it("the faults' hook judges the pairs it picks, tentatively", () => {
    const { books } = setup();
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 10), sentRun(C, 1, 5)] }));
    expect(books.judge((p) => p.to === C, "node_frozen")).toBe(5);
    expect(books.message("p2.1")).toMatchObject({ status: "lost", reason: "node_frozen" });
    expect(books.stats()).toMatchObject({ lost: 5, inFlight: 10 });
  });
});
