import { describe, expect, it } from "vitest";
import { A, B, C, recvRun, report, sentRun } from "../books/test-frames";
import { booksOnStore, storm } from "./test-books";

describe("the books on SQLite", () => {
  it("answers any bulk message from the stored runs, as the books count it", () => {
    const s = booksOnStore();
    try {
      storm(s);
      expect(s.books.stats()).toMatchObject({ sent: 2000, received: 1750, lost: 250, inFlight: 0, acked: 950 });
      const pB = s.books.ledger.pairs.find(A, 1, B)!.id;
      const pC = s.books.ledger.pairs.find(A, 1, C)!.id;
      expect(s.books.message(`p${pB}.1`)).toMatchObject({ from: A, to: B, status: "acked", latencyMs: 0.1, latencyKind: "one-way", reason: null });
      const m = s.books.message(`p${pB}.57`)!;
      expect(m.receivedAt! - m.sentAt!).toBeCloseTo(0.1, 3);
      expect(s.books.message(`p${pB}.120`)).toMatchObject({ status: "lost", reason: "connection lost", receivedAt: null });
      expect(s.books.message(`p${pC}.900`)).toMatchObject({ status: "lost", reason: "timeout (not received within 1000 ms)" });
      expect(s.books.message(`p${pC}.1001`)).toBeUndefined();
      expect(s.books.message(`p999.1`)).toBeUndefined();
      // Every report applied was committed, after its write.
      expect(s.commits.filter((c) => c.node === A).at(-1)).toEqual({ node: A, inc: 1, upto: 40 });
    } finally {
      s.close();
    }
  });

  it("gives, message by message, the same statuses when exported expanded as when asked one by one", () => {
    const s = booksOnStore();
    try {
      storm(s);
      const r = s.store.openExport();
      const all = [...r.iterateExpanded()];
      r.close();
      expect(all).toHaveLength(2000);
      const count = (st: string) => all.filter((m) => m.status === st).length;
      const st = s.books.stats();
      expect(count("acked")).toBe(st.acked);
      expect(count("received") + count("acked")).toBe(st.received);
      expect(count("lost")).toBe(st.lost);
      for (const m of all.filter((_, i) => i % 37 === 0)) expect(s.books.message(m.id), m.id).toEqual(m);
    } finally {
      s.close();
    }
  });

  it("restarts from the stored counters and pairs, not from the retained rows", () => {
    const s = booksOnStore({ retention: 300 });
    storm(s);
    const before = s.books.stats();
    expect(s.store.enforceRetention()).toBeGreaterThan(0);
    s.close(false);
    const t = booksOnStore({ dir: s.dir, retention: 300 });
    try {
      const { at: _a, reconciled: _r, latencyMs: _l, latencyByKind: _k, ...after } = t.books.stats();
      const { at: _b, reconciled: _q, latencyMs: _m, latencyByKind: _j, ...was } = before;
      expect(after).toEqual(was);
      // A late report for a pair no longer in memory goes on with its books (loaded from the store).
      t.books.onNodeUp(C, 3);
      t.books.onReport(report(C, 3, 17, { recv: [recvRun(A, 1, 801, 200)] }));
      expect(t.books.stats()).toMatchObject({ sent: 2000, received: 1950, lost: 50, inFlight: 0 });
      // A report already applied before the restart is not applied again.
      t.books.onReport(report(C, 3, 16, { recv: [recvRun(A, 1, 751, 50)] }));
      expect(t.books.stats().received).toBe(1950);
    } finally {
      t.close();
    }
  });

  it("forgets the settled pairs of an incarnation gone for a while, and a late report loads them back, never anew", () => {
    const s = booksOnStore();
    try {
      const { books, clock } = s;
      books.onNodeUp(A, 1);
      books.onNodeUp(B, 2);
      books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 10)] }));
      books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 8)] }));
      books.onNodeDown(A, "connection_closed"); // the sender's incarnation is gone
      clock.t += 1001;
      books.sweep(); // 9 and 10 time out: settled
      s.store.flush();
      clock.t += 10_000;
      for (let i = 0; i < 20; i++) books.sweep(); // the bounds are enforced every 20 sweeps
      expect(books.ledger.pairs.size).toBe(0);
      expect(books.stats()).toMatchObject({ sent: 10, received: 8, lost: 2 });
      books.onReport(report(B, 2, 2, { recv: [recvRun(A, 1, 9, 2)] })); // the receiver had them after all
      expect(books.ledger.pairs.find(A, 1, B)?.id).toBe(1);
      expect(books.stats()).toMatchObject({ sent: 10, received: 10, lost: 0, inFlight: 0 });
    } finally {
      s.close();
    }
  });
});
