import { describe, expect, it, onTestFinished } from "vitest";
import { A, B, C, recvRun, report, sentRun } from "../books/test-frames";
import { latencySummary } from "./export-reader";
import { booksOnStore } from "./test-books";
import { tm } from "./test-messages";

describe("latencySummary", () => {
  it("picks nearest-rank percentiles and the max from an ascending stream", () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1); // 1..200
    expect(latencySummary(200, values[Symbol.iterator]())).toEqual({ count: 200, p50: 100, p95: 190, p99: 198, max: 200 });
    expect(latencySummary(1, [7][Symbol.iterator]())).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(latencySummary(0, [][Symbol.iterator]())).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});

/** Two hosts: A and B on h1, C on h2. A → B 100 (one-way), A → C 100 (half round trips), B → C 10 lost. */
function history() {
  const host = (n: string) => (n === C ? "h2" : "h1");
  const s = booksOnStore({ sameClock: (a, b) => host(a) === host(b) });
  const { books, clock } = s;
  const t0 = clock.t * 1000;
  books.create("m1", A, B, "tracked");
  books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 100, t0), sentRun(C, 1, 100, t0)], events: [{ e: "sent", id: "m1", to: B, seq: 1, t: t0, content: "tracked" }] }));
  books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 100, t0 + 100)], sent: [sentRun(C, 1, 10, t0)] }));
  books.onReport(report(C, 3, 1, { recv: [recvRun(A, 1, 1, 100, t0 + 5_000_000)] })); // C's clock 5 s ahead
  books.onReport(report(A, 1, 2, { acked: [[B, 100, t0 + 400, t0], [C, 100, t0 + 990 + 800, t0 + 990]] }));
  books.onNodeDown(C, "connection_closed");
  books.onReport(report(C, 3, 2, { seed: 1, events: [{ e: "received", id: "seed-1", from: "stranger@h", t0: null, t: t0 + 5_000_000, content: "hi", seed: true }] }));
  s.store.flush();
  onTestFinished(() => s.close());
  return s;
}

describe("Store.openExport on the books", () => {
  it("tallies the whole history from the stored counters, as /api/stats counts", async () => {
    const s = history();
    const r = s.store.openExport();
    const b = await r.books();
    const st = s.books.stats();
    expect(b.tally).toMatchObject({ sent: st.sent, received: st.received, acked: st.acked, lost: st.lost, inFlight: st.inFlight, failed: st.failed, seedReceived: 1 });
    expect(b.tally).toMatchObject({ sent: 211, received: 201, lost: 10, inFlight: 0 });
    expect(b.bySender.get(A)).toMatchObject({ sent: 200, received: 200 });
    expect(b.inbound.get(C)).toBe(101);
    expect(r.reasons("lost")).toEqual([{ reason: "receiver_down (connection_closed)", n: 10, examples: expect.arrayContaining([expect.objectContaining({ from: B, to: C })]) }]);
    expect(r.pairProgress().map((p) => [p.from, p.to, p.sent, p.received, p.lost])).toEqual([[A, B, 100, 100, 0], [A, C, 100, 100, 0], [B, C, 10, 0, 10]]);
    expect(r.seedReceptions()).toEqual([{ from: "stranger@h", to: C, n: 1, first: expect.any(Number), last: expect.any(Number), example: "hi" }]);
    r.close();
  });

  it("keeps one-way latencies (one host) and half round trips (across hosts) apart, never mixing clocks", () => {
    const s = history();
    const r = s.store.openExport();
    expect(r.latency("one-way")).toEqual({ count: 100, p50: 0.1, p95: 0.1, p99: 0.1, max: 0.1 });
    expect(r.latency("half-rtt")).toMatchObject({ count: 1, p50: 0.4 }); // (t2 - t0) / 2 of the ack, on A's clock
    r.close();
  });

  it("expands runs into messages, leaving out the tracked ones (exported as themselves), and counts a range one by one", async () => {
    const s = history();
    const r = s.store.openExport();
    const expanded = [...r.iterateExpanded()];
    expect(expanded).toHaveLength(209); // 210 in the runs, less the tracked one
    expect(expanded.some((m) => m.id.endsWith(".1") && m.to === B && m.from === A)).toBe(false);
    expect([...r.iterateMessages()].map((m) => m.id)).toEqual(["m1", "seed-1"]);
    r.close();
    const t0 = s.clock.t;
    const ranged = s.store.openExport({ since: t0 - 1, until: t0 + 1 });
    const b = await ranged.books();
    expect(b.tally).toMatchObject({ sent: 210, received: 200, lost: 10 }); // the seed message came 5 s later
    ranged.close();
  });

  it("reads one snapshot while the writer goes on, and releases a cursor abandoned half way", () => {
    const s = history();
    s.store.writer.add(Array.from({ length: 100 }, (_, i) => tm(`a${i}`, "failed", { reason: "x", createdAt: i })));
    s.store.flush();
    const r = s.store.openExport();
    const it = r.iterateMessages();
    expect(it.next().value?.id).toBe("m1");
    s.store.writer.add([tm("b0", "failed", { reason: "x", createdAt: 5000 })]);
    s.store.flush();
    expect([...it]).toHaveLength(101);
    r.close();
    const again = s.store.openExport();
    const it2 = again.iterateMessages();
    it2.next();
    it2.return?.();
    expect([...again.iterateMessages()]).toHaveLength(103);
    again.close();
    again.close(); // twice is harmless
  });
});
