import { describe, expect, it } from "vitest";
import type { TrackedMessage } from "./tracked-message";
import { A, B, invariantHolds, recvRun, report, sentRun, setup } from "./test-frames";

const sentEv = (id: string, seq: number, t = 1_000_000) => ({ e: "sent", id, to: B, seq, t, content: "hi" });
const recvEv = (id: string, seq: number, t = 1_000_250) => ({ e: "received", id, from: A, fromInc: 1, seq, t0: 1_000_000, t, content: "hi", seed: false });
const ackEv = (id: string, seq: number) => ({ e: "acked", id, to: B, seq, t0: 1_000_000, t1: 1_000_250, t: 1_000_500 });

describe("tracked messages follow the runs", () => {
  it("walks pending → sent → received → acked, counted once (by the runs)", () => {
    const { books } = setup();
    books.create("m1", A, B, "hi");
    expect(books.message("m1")).toMatchObject({ status: "pending" });
    expect(books.stats().sent).toBe(0);
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [sentEv("m1", 1)] }));
    expect(books.message("m1")).toMatchObject({ status: "sent", sentAt: 1000 });
    expect(books.stats()).toMatchObject({ sent: 1, inFlight: 1 });
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)], events: [recvEv("m1", 1)] }));
    expect(books.message("m1")).toMatchObject({ status: "received", receivedAt: 1000.25, latencyMs: 0.25, latencyKind: "one-way" });
    books.onReport(report(A, 1, 2, { acked: [[B, 1, 1_000_500, 1_000_000]], events: [ackEv("m1", 1)] }));
    expect(books.message("m1")).toMatchObject({ status: "acked", ackedAt: 1000.5 });
    expect(books.stats()).toMatchObject({ sent: 1, received: 1, acked: 1, lost: 0, inFlight: 0 });
    expect(invariantHolds(books)).toBe(true);
  });

  it("the receiver's report first: received at once, the sender's report adds its send time", () => {
    const { books } = setup();
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)], events: [recvEv("m2", 1)] }));
    expect(books.message("m2")).toMatchObject({ status: "received", from: A, to: B });
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [sentEv("m2", 1)] }));
    expect(books.message("m2")).toMatchObject({ status: "received", sentAt: 1000 });
    expect(books.stats()).toMatchObject({ sent: 1, received: 1 });
  });

  it("a tracked message in a gap is lost for good; one in a tentative verdict is lost until it arrives", () => {
    const { books, clock } = setup();
    books.create("in-gap", A, B, "x");
    books.create("late", A, B, "y");
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 3)], events: [sentEv("in-gap", 2), sentEv("late", 3)] }));
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)] }));
    clock.t += 1001;
    books.sweep();
    expect(books.message("late")).toMatchObject({ status: "lost", reason: expect.stringMatching(/^timeout/) });
    books.onReport(report(B, 2, 2, { recv: [recvRun(A, 1, 3, 1)], events: [recvEv("late", 3)] }));
    expect(books.message("in-gap")).toMatchObject({ status: "lost", reason: "connection lost" });
    expect(books.message("late")).toMatchObject({ status: "received", reason: null });
    expect(books.stats()).toMatchObject({ sent: 3, received: 2, lost: 1, inFlight: 0 });
  });

  it("a late reception after a loss verdict for a message no longer in memory is resolved against the store", () => {
    const stored = new Map<string, TrackedMessage>();
    const { books, clock, batch } = setup({ loadTracked: (id) => stored.get(id) && structuredClone(stored.get(id)) });
    books.tracked["recentLimit" as never] = 0 as never; // keep nothing finished in memory
    books.create("gone", A, B, "z");
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [sentEv("gone", 1)] }));
    clock.t += 10_000;
    books.sweep(); // lost (timeout), then trimmed out of memory (stale)
    for (const m of batch.take().messages.values()) stored.set(m.id, structuredClone(m));
    expect(stored.get("gone")).toMatchObject({ status: "lost" });
    expect(books.tracked["live" as never]).toHaveProperty("size", 0);
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)], events: [recvEv("gone", 1)] }));
    expect(books.message("gone")).toMatchObject({ id: "gone", status: "received", content: "z" });
    expect(books.stats()).toMatchObject({ sent: 1, received: 1, lost: 0, inFlight: 0 }); // not counted as a new message
    expect(batch.current.messages.get("gone")).toMatchObject({ status: "received" });
  });

  it("fails a message the sender never reported, counted; a late send report takes the failure back", () => {
    const { books, clock } = setup();
    books.create("slow", A, B, "x");
    clock.t += 1001;
    books.sweep();
    expect(books.message("slow")).toMatchObject({ status: "failed" });
    expect(books.stats()).toMatchObject({ sent: 0, failed: 1 });
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [sentEv("slow", 1)] }));
    expect(books.message("slow")).toMatchObject({ status: "sent", reason: null });
    expect(books.stats()).toMatchObject({ sent: 1, failed: 0, inFlight: 1 });
  });

  it("a local send failure is counted once: by the node's failed runs, not again for the event", () => {
    const { books } = setup();
    books.create("nc", A, B, "x");
    books.onReport(report(A, 1, 1, { failed: [[B, 1]], events: [{ e: "send_failed", id: "nc", to: B, reason: "not_connected" }] }));
    expect(books.message("nc")).toMatchObject({ status: "failed", reason: "sender could not send: not_connected" });
    expect(books.stats()).toMatchObject({ sent: 0, failed: 1 });
  });

  it("half the acked round trip across hosts, never a reception time from another clock", () => {
    const { books } = setup({ sameClock: () => false });
    books.create("x", A, B, "c");
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [sentEv("x", 1)] }));
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1, 2_000_300)], events: [recvEv("x", 1, 2_000_300)] }));
    expect(books.message("x")!.latencyMs).toBeNull();
    books.onReport(report(A, 1, 2, { acked: [[B, 1, 1_000_800, 1_000_000]], events: [{ ...ackEv("x", 1), t: 1_000_800 }] }));
    expect(books.message("x")).toMatchObject({ latencyMs: 0.4, latencyKind: "half-rtt", status: "acked" });
    expect(books.stats().latencyByKind["half-rtt"].p50).toBe(0.4);
  });
});

describe("the timeline's sample never repeats a tracked message", () => {
  const sampledIds = (books: ReturnType<typeof setup>["books"]) => books.drainChanged(100).messages.filter((m) => m.sampled).map((m) => m.id);

  it("a run of only tracked messages gives no sample, whichever node reports first", () => {
    const a = setup().books;
    a.create("m1", A, B, "hi");
    a.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [sentEv("m1", 1)] }));
    a.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)], events: [recvEv("m1", 1)] }));
    expect(sampledIds(a)).toEqual([]);
    const b = setup().books;
    b.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 1)], events: [recvEv("m2", 1)] }));
    expect(sampledIds(b)).toEqual([]);
  });

  it("a run mixing bulk and tracked messages is sampled by its last bulk message", () => {
    const { books } = setup();
    books.create("m3", A, B, "hi");
    books.onReport(report(A, 1, 1, { sent: [sentRun(B, 1, 3)], events: [sentEv("m3", 3)] }));
    books.onReport(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 3)], events: [recvEv("m3", 3)] }));
    const samples = books.drainChanged(100).messages.filter((m) => m.sampled);
    expect(samples.map((m) => [m.id, m.sampleOf])).toEqual([[expect.stringMatching(/^p\d+\.2$/), 2]]);
  });
});
