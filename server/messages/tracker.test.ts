import { describe, expect, it } from "vitest";
import { MessageTracker } from "./tracker";

const A = "n1-x@127.0.0.1";
const B = "n2-x@127.0.0.1";

function setup(timeout = 1000) {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const tracker = new MessageTracker({ lossTimeoutMs: timeout, clock });
  return { tracker, clock };
}

function invariant(tr: MessageTracker) {
  const s = tr.stats();
  expect(s.sent).toBe(s.received + s.lost + s.inFlight);
  for (const c of Object.values(s.perNode)) expect(c.sent).toBe(c.received + c.lost + c.inFlight);
}

describe("MessageTracker", () => {
  it("walks pending → sent → received → acked with latency from the sender and receiver times", () => {
    const { tracker } = setup();
    tracker.create("m1", A, B, "hi");
    expect(tracker.get("m1")!.status).toBe("pending");
    expect(tracker.stats().sent).toBe(0);
    tracker.onEvent(A, { e: "sent", id: "m1", to: B, t: 1_000_000_000, content: "hi" });
    expect(tracker.get("m1")!.status).toBe("sent");
    expect(tracker.stats()).toMatchObject({ sent: 1, inFlight: 1, received: 0 });
    tracker.onEvent(B, { e: "received", id: "m1", from: A, t0: 1_000_000_000, t: 1_000_000_250, content: "hi", seed: false });
    const m = tracker.get("m1")!;
    expect(m.status).toBe("received");
    expect(m.latencyMs).toBeCloseTo(0.25);
    tracker.onEvent(A, { e: "acked", id: "m1", to: B, t: 1_000_000_500, t1: 1_000_000_250 });
    expect(tracker.get("m1")!.status).toBe("acked");
    expect(tracker.stats()).toMatchObject({ sent: 1, received: 1, acked: 1, lost: 0, inFlight: 0 });
    expect(tracker.inboundOf(B)).toBe(1);
    invariant(tracker);
  });

  it("counts once when the receiver's report overtakes the sender's, and when events repeat", () => {
    const { tracker } = setup();
    tracker.onEvent(B, { e: "received", id: "g.1.1", from: A, t0: 10_000, t: 10_100, content: "x", seed: false });
    tracker.onEvent(B, { e: "received", id: "g.1.1", from: A, t0: 10_000, t: 10_100, content: "x", seed: false });
    tracker.onEvent(A, { e: "sent", id: "g.1.1", to: B, t: 10_000, content: "x" });
    tracker.onEvent(A, { e: "sent", id: "g.1.1", to: B, t: 10_000, content: "x" });
    expect(tracker.get("g.1.1")!.status).toBe("received");
    expect(tracker.stats()).toMatchObject({ sent: 1, received: 1, inFlight: 0 });
    invariant(tracker);
  });

  it("an ack before the receiver's report still proves reception, counted once", () => {
    const { tracker } = setup();
    tracker.create("m2", A, B, "y");
    tracker.onEvent(A, { e: "sent", id: "m2", to: B, t: 5_000, content: "y" });
    tracker.onEvent(A, { e: "acked", id: "m2", to: B, t: 5_300, t1: 5_100 });
    tracker.onEvent(B, { e: "received", id: "m2", from: A, t0: 5_000, t: 5_100, content: "y", seed: false });
    expect(tracker.get("m2")!.status).toBe("acked");
    expect(tracker.stats()).toMatchObject({ sent: 1, received: 1, acked: 1, inFlight: 0 });
    invariant(tracker);
  });

  it("loses a message not received within the timeout, with the reason", () => {
    const { tracker, clock } = setup(1000);
    tracker.create("m3", A, B, "z");
    tracker.onEvent(A, { e: "sent", id: "m3", to: B, t: clock.t * 1000, content: "z" });
    clock.t += 999;
    tracker.sweep();
    expect(tracker.get("m3")!.status).toBe("sent");
    clock.t += 2;
    tracker.sweep();
    expect(tracker.get("m3")).toMatchObject({ status: "lost", reason: expect.stringMatching(/timeout/) });
    expect(tracker.stats()).toMatchObject({ sent: 1, lost: 1, inFlight: 0 });
    invariant(tracker);
  });

  it("a late reception after the loss verdict turns the loss into a reception", () => {
    const { tracker, clock } = setup(1000);
    tracker.create("m4", A, B, "late");
    tracker.onEvent(A, { e: "sent", id: "m4", to: B, t: clock.t * 1000, content: "late" });
    clock.t += 5000;
    tracker.sweep();
    expect(tracker.stats().lost).toBe(1);
    tracker.onEvent(A, { e: "acked", id: "m4", to: B, t: clock.t * 1000, t1: clock.t * 1000 - 10 });
    expect(tracker.get("m4")!.status).toBe("acked");
    expect(tracker.stats()).toMatchObject({ sent: 1, received: 1, lost: 0, acked: 1, inFlight: 0 });
    invariant(tracker);
  });

  it("a receiver going down loses what was in flight to it; the sender's pending messages fail", () => {
    const { tracker } = setup();
    tracker.create("to-b", A, B, "1");
    tracker.onEvent(A, { e: "sent", id: "to-b", to: B, t: 1, content: "1" });
    tracker.create("from-b", B, A, "2");
    tracker.onNodeDown(B, "connection_closed");
    expect(tracker.get("to-b")).toMatchObject({ status: "lost", reason: "receiver down (connection_closed)" });
    expect(tracker.get("from-b")).toMatchObject({ status: "failed", reason: "sender down (connection_closed)" });
    expect(tracker.stats()).toMatchObject({ sent: 1, lost: 1, failed: 1, inFlight: 0 });
    invariant(tracker);
  });

  it("a send the node refused is failed, not sent, and not counted in the invariant", () => {
    const { tracker } = setup();
    tracker.create("m5", A, B, "q");
    tracker.onEvent(A, { e: "send_failed", id: "m5", to: B, reason: "not_connected" });
    expect(tracker.get("m5")!.status).toBe("failed");
    expect(tracker.stats()).toMatchObject({ sent: 0, failed: 1 });
    invariant(tracker);
  });

  it("a seed-protocol message is recorded as received from its stranger sender", () => {
    const { tracker } = setup();
    tracker.onEvent(B, { e: "received", id: "", from: "plain@127.0.0.1", t: 42_000, content: "hi", seed: true });
    const [m] = tracker.drainChanged().messages;
    expect(m).toMatchObject({ from: "plain@127.0.0.1", to: B, status: "received", seed: true, content: "hi" });
    expect(tracker.stats()).toMatchObject({ sent: 1, received: 1, inFlight: 0 });
    invariant(tracker);
  });

  it("restores counts after a restart without inventing in-flight messages", () => {
    const { tracker } = setup();
    tracker.restore({ sent: 10, received: 7, acked: 7, lost: 3, inFlight: 0, failed: 2 }, { [A]: { sent: 10, received: 7, acked: 7, lost: 3, inFlight: 0 } }, { [B]: 7 });
    expect(tracker.stats()).toMatchObject({ sent: 10, received: 7, lost: 3, failed: 2 });
    expect(tracker.inboundOf(B)).toBe(7);
    invariant(tracker);
  });

  it("drains changed messages capped, reporting how many it left out", () => {
    const { tracker } = setup();
    for (let i = 0; i < 10; i++) tracker.create(`k${i}`, A, B, "c");
    const { messages, dropped } = tracker.drainChanged(4);
    expect(messages.map((m) => m.id)).toEqual(["k6", "k7", "k8", "k9"]);
    expect(dropped).toBe(6);
    expect(tracker.drainChanged().messages).toEqual([]);
  });
});

describe("MessageTracker across hosts", () => {
  it("shows half the acked round trip when sender and receiver read different clocks", () => {
    const tracker = new MessageTracker({ lossTimeoutMs: 1000, sameClock: () => false });
    tracker.create("x", A, B, "c");
    tracker.onEvent(A, { e: "sent", id: "x", to: B, t: 1_000_000, content: "c" });
    // The receiver's clock is 1 s ahead: its time must not be used for the latency.
    tracker.onEvent(B, { e: "received", id: "x", from: A, t0: 1_000_000, t: 2_000_300, content: "c", seed: false });
    expect(tracker.get("x")!.latencyMs).toBeNull();
    tracker.onEvent(A, { e: "acked", id: "x", to: B, t: 1_000_800, t1: 2_000_300 });
    expect(tracker.get("x")).toMatchObject({ latencyMs: 0.4, latencyKind: "half-rtt", status: "acked" });
  });
});

describe("MessageTracker memory bound", () => {
  it("keeps received messages awaiting their ack when trimming, so a late ack still counts", () => {
    const clock = { t: 10_000_000, now() { return this.t; } };
    const tracker = new MessageTracker({ lossTimeoutMs: 1000, clock, recentLimit: 10 });
    for (let i = 0; i < 50; i++) {
      tracker.onEvent(A, { e: "sent", id: `q${i}`, to: B, t: clock.t * 1000, content: "c" });
      tracker.onEvent(B, { e: "received", id: `q${i}`, from: A, t0: clock.t * 1000, t: clock.t * 1000 + 5, content: "c", seed: false });
    }
    tracker.sweep();
    for (let i = 0; i < 50; i++) tracker.onEvent(A, { e: "acked", id: `q${i}`, to: B, t: clock.t * 1000 + 9, t1: clock.t * 1000 + 5 });
    expect(tracker.stats()).toMatchObject({ sent: 50, received: 50, acked: 50 });
    // Once acked they are finished, and the memory goes back under the limit.
    tracker.sweep();
    const inMemory = Array.from({ length: 50 }, (_, i) => tracker.get(`q${i}`)).filter(Boolean);
    expect(inMemory).toHaveLength(10);
  });
});

describe("MessageTracker verdict corner cases", () => {
  it("counts a generator message whose first report is a send failure as failed", () => {
    const { tracker } = setup();
    tracker.onEvent(A, { e: "send_failed", id: "t.1.7", to: B, reason: "not_connected" });
    expect(tracker.get("t.1.7")).toMatchObject({ status: "failed", from: A, to: B, reason: "sender could not send: not_connected" });
    expect(tracker.stats()).toMatchObject({ sent: 0, failed: 1 });
  });

  it("loses at once, as receiver down, a message reported sent after its receiver went down", () => {
    const { tracker } = setup();
    tracker.onNodeDown(B, "connection_closed");
    tracker.onEvent(A, { e: "sent", id: "late", to: B, t: 1, content: "x" });
    expect(tracker.get("late")).toMatchObject({ status: "lost", reason: "receiver down (connection_closed)" });
    tracker.onNodeUp(B);
    tracker.onEvent(A, { e: "sent", id: "after", to: B, t: 2, content: "x" });
    expect(tracker.get("after")!.status).toBe("sent");
    invariant(tracker);
  });

  it("a late send report overturns a 'failed' verdict and the message is in flight again", () => {
    const { tracker, clock } = setup(1000);
    tracker.create("slow", A, B, "x");
    clock.t += 2000;
    tracker.sweep();
    expect(tracker.get("slow")!.status).toBe("failed");
    tracker.onEvent(A, { e: "sent", id: "slow", to: B, t: clock.t * 1000, content: "x" });
    expect(tracker.get("slow")).toMatchObject({ status: "sent", reason: null });
    expect(tracker.stats()).toMatchObject({ sent: 1, failed: 0, inFlight: 1 });
    clock.t += 2000;
    tracker.sweep();
    expect(tracker.get("slow")!.status).toBe("lost");
    invariant(tracker);
  });
});
