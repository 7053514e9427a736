import { describe, expect, it } from "vitest";
import { balanced } from "./counts";
import { PairBook } from "./pair";

// The ledger's rule when no reception was seen yet is its own (ledger.test.ts); here: a new incarnation above 7.
const reason = ({ lastToInc, toInc }: { lastToInc: number; toInc: number }) => (toInc !== (lastToInc || 7) ? "receiver restarted" : "connection lost");

function pair() {
  return new PairBook(1, "n1@h", 100, "n2@h", true, 0);
}

function expectBalanced(p: PairBook) {
  const c = p.counts();
  expect(balanced(c), JSON.stringify(c)).toBe(true);
  expect(Object.values(c).every((v) => v >= 0), JSON.stringify(c)).toBe(true);
}

describe("PairBook: range folding", () => {
  it("sent runs, then received runs: all received, nothing in flight", () => {
    const p = pair();
    p.applySent(1, 100, 10);
    p.applySent(101, 50, 20);
    expect(p.counts()).toEqual({ sent: 150, received: 0, acked: 0, lost: 0, inFlight: 150 });
    p.applyRecv(7, 1, 60, 30, reason);
    p.applyRecv(7, 61, 90, 40, reason);
    expect(p.counts()).toEqual({ sent: 150, received: 150, acked: 0, lost: 0, inFlight: 0 });
    expect(p.recvByInc.get(7)).toBe(150);
    expectBalanced(p);
  });

  it("the receiver's report overtaking the sender's counts each seq once", () => {
    const p = pair();
    const e = p.applyRecv(7, 1, 10, 1, reason);
    expect(e).toMatchObject({ received: 10, sentGrown: 10, gap: null });
    expect(p.applySent(1, 10, 2)).toBe(0);
    expect(p.counts()).toEqual({ sent: 10, received: 10, acked: 0, lost: 0, inFlight: 0 });
    expect(p.sentHi).toBe(10);
  });

  it("a gap is an exact loss of the seqs between, with its reason; the runs around it are received", () => {
    const p = pair();
    p.applySent(1, 100, 1);
    p.applyRecv(7, 1, 40, 2, reason);
    const e = p.applyRecv(7, 51, 50, 3, reason);
    expect(e.gap).toEqual({ lo: 41, hi: 50, reason: "connection lost", newlyLost: 10 });
    expect(p.counts()).toEqual({ sent: 100, received: 90, acked: 0, lost: 10, inFlight: 0 });
    expectBalanced(p);
  });

  it("a receiver restarting in the middle of a range: the seqs its old incarnation never reported are lost, reason receiver restarted", () => {
    const p = pair();
    p.applySent(1, 1000, 1);
    p.applyRecv(7, 1, 500, 2, reason); // incarnation 7 reported 1..500, then died (501..600 with it)
    const e = p.applyRecv(8, 601, 400, 3, reason); // incarnation 8 got 601..1000
    expect(e.gap).toMatchObject({ lo: 501, hi: 600, reason: "receiver restarted" });
    expect(p.counts()).toMatchObject({ sent: 1000, received: 900, lost: 100, inFlight: 0 });
    expect([...p.recvByInc]).toEqual([[7, 500], [8, 400]]);
    expectBalanced(p);
  });

  it("an overlapping or repeated run is never counted twice", () => {
    const p = pair();
    p.applySent(1, 10, 1);
    expect(p.applySent(1, 10, 1)).toBe(0);
    expect(p.applySent(5, 10, 1)).toBe(4); // 11..14 are new
    p.applyRecv(7, 1, 10, 2, reason);
    expect(p.applyRecv(7, 1, 10, 2, reason).received).toBe(0);
    expect(p.applyRecv(7, 8, 7, 2, reason).received).toBe(4);
    expect(p.counts()).toEqual({ sent: 14, received: 14, acked: 0, lost: 0, inFlight: 0 });
  });

  it("cumulative acks count the received seqs up to them, gaps excepted, even when the ack comes first", () => {
    const p = pair();
    p.applySent(1, 100, 1);
    p.applyAck(60); // the sender's report with the ack overtook the receiver's
    expect(p.counts().acked).toBe(0);
    p.applyRecv(7, 1, 20, 2, reason);
    expect(p.counts().acked).toBe(20);
    p.applyRecv(7, 31, 70, 3, reason); // 21..30 lost
    expect(p.counts()).toMatchObject({ acked: 50, received: 90, lost: 10 });
    p.applyAck(100);
    p.applyAck(90); // an older ack changes nothing
    expect(p.counts()).toMatchObject({ acked: 90, received: 90 });
    expectBalanced(p);
  });
});

describe("PairBook: tentative verdicts", () => {
  it("a timeout judges what the server saw sent long enough ago, on its own receipt clock", () => {
    const p = pair();
    p.applySent(1, 10, 1000);
    p.applySent(11, 10, 3000);
    expect(p.judgeTimeout(5999, 5000, 0, "timeout").lost).toBe(0);
    expect(p.judgeTimeout(6000, 5000, 0, "timeout").lost).toBe(10);
    expect(p.counts()).toMatchObject({ sent: 20, lost: 10, inFlight: 10 });
    expect(p.tentativeFor(5)).toMatchObject({ reason: "timeout", at: 6000 });
    expect(p.judgeTimeout(8000, 5000, 0, "timeout").lost).toBe(10);
    expect(p.counts()).toMatchObject({ lost: 20, inFlight: 0 });
    expectBalanced(p);
  });

  it("no verdict counts time before `resumedAt` (the bridge was down, or the server was not running)", () => {
    const p = pair();
    p.applySent(1, 10, 1000);
    expect(p.judgeTimeout(20_000, 5000, 16_000, "timeout").lost).toBe(0);
    expect(p.judgeTimeout(21_000, 5000, 16_000, "timeout").lost).toBe(10);
  });

  it("a late reception after a timeout verdict overturns it exactly once", () => {
    const p = pair();
    p.applySent(1, 10, 0);
    p.judgeTimeout(6000, 5000, 0, "timeout");
    const e = p.applyRecv(7, 1, 6, 7000, reason);
    expect(e.overturned).toEqual([{ at: 6000, n: 6 }]);
    expect(p.counts()).toMatchObject({ received: 6, lost: 4, inFlight: 0 });
    const again = p.applyRecv(7, 1, 6, 7000, reason);
    expect(again.overturned).toEqual([]);
    const rest = p.applyRecv(7, 7, 4, 8000, reason);
    expect(rest.overturned).toEqual([{ at: 6000, n: 4 }]);
    expect(p.counts()).toMatchObject({ received: 10, lost: 0, inFlight: 0 });
    expectBalanced(p);
  });

  it("a loss inside a range: a gap over tentative losses makes them exact without counting them twice", () => {
    const p = pair();
    p.applySent(1, 20, 0);
    p.judge("receiver_down (connection_closed)", 100);
    expect(p.counts()).toMatchObject({ lost: 20, inFlight: 0 });
    const e = p.applyRecv(8, 16, 5, 200, reason); // a new incarnation got 16..20: 1..15 were lost
    expect(e.gap).toEqual({ lo: 1, hi: 15, reason: "receiver restarted", newlyLost: 0 });
    expect(e.overturned).toEqual([{ at: 100, n: 5 }]);
    expect(p.counts()).toMatchObject({ sent: 20, received: 5, lost: 15, inFlight: 0 });
    expect(p.tent).toEqual([]);
    expectBalanced(p);
  });

  it("verdicts of several reasons stack up in seq order, and a reception overturns them oldest first", () => {
    const p = pair();
    p.applySent(1, 10, 0);
    p.judge("receiver_down", 1000, 4);
    p.applySent(11, 10, 1500);
    p.judge("timeout", 7000);
    expect(p.tent.map((t) => [t.hi, t.reason])).toEqual([[4, "receiver_down"], [20, "timeout"]]);
    const e = p.applyRecv(7, 1, 12, 8000, reason);
    expect(e.overturned).toEqual([{ at: 1000, n: 4 }, { at: 7000, n: 8 }]);
    expect(p.counts()).toMatchObject({ received: 12, lost: 8, inFlight: 0 });
    expectBalanced(p);
  });

  it("merges the oldest verdicts past a bound, telling where their count moved", () => {
    const p = pair();
    let moved = 0;
    for (let i = 1; i <= 600; i++) {
      p.applySent(i, 1, i * 1000);
      moved += p.judge("node_frozen", i * 1000).moved?.n ?? 0;
    }
    expect(p.tent.length).toBeLessThanOrEqual(512);
    expect(moved).toBeGreaterThan(0);
    expect(p.counts()).toMatchObject({ sent: 600, lost: 600, inFlight: 0 });
  });

  it("keeps its state through toState/fromState, and restarts the timeout clock", () => {
    const p = pair();
    p.applySent(1, 30, 0);
    p.applyRecv(7, 1, 10, 10, reason);
    p.applyRecv(7, 13, 3, 10, reason);
    p.applyAck(15);
    p.judge("timeout", 6000, 20);
    const q = PairBook.fromState(1, p.from, p.fromInc, p.to, JSON.parse(JSON.stringify(p.toState())), 100_000);
    expect(q.counts()).toEqual(p.counts());
    expect(q.judgeTimeout(104_999, 5000, 0, "timeout").lost).toBe(0);
    expect(q.judgeTimeout(105_000, 5000, 0, "timeout").lost).toBe(10);
    q.applyAck(30);
    q.applyRecv(7, 16, 15, 106_000, reason);
    expect(q.counts()).toEqual({ sent: 30, received: 28, acked: 28, lost: 2, inFlight: 0 });
  });
});
