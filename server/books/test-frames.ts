import type { ReportFrame, StatsFrame } from "../bridge/protocol";
import { BatchHolder } from "./batch";
import { Books, type BooksOptions } from "./books";
import { balanced } from "./counts";
import { encodeVarints } from "./varint";

// For the books' tests: report and stats frames as the bridge writes them, and a books object on
// a fake clock. Runs get real varint detail: times 10 µs apart, latencies of 100 µs.

export const A = "n1-x@127.0.0.1";
export const B = "n2-x@127.0.0.1";
export const C = "n3-x@127.0.0.1";

const b64 = (values: number[]) => encodeVarints(values).toString("base64");

export function sentRun(to: string, seq0: number, n: number, t0 = 1_000_000): ReportFrame["sent"][number] {
  return [to, seq0, n, t0, t0 + 10 * (n - 1), b64(Array(n - 1).fill(10))];
}

export function recvRun(from: string, fromInc: number, seq0: number, n: number, t1 = 1_000_100): ReportFrame["recv"][number] {
  return [from, fromInc, seq0, n, t1, t1 + 10 * (n - 1), b64(Array(n - 1).fill(10)), b64(Array(n).fill(100))];
}

export function report(node: string, inc: number, rseq: number, parts: Partial<Omit<ReportFrame, "t" | "node" | "inc" | "rseq">> = {}): ReportFrame {
  return { t: "report", node, inc, rseq, sent: [], recv: [], acked: [], failed: [], seed: 0, dropped: 0, droppedEvents: 0, events: [], ...parts };
}

export function stats(node: string, inc: number, rseq: number, parts: Partial<StatsFrame> = {}): StatsFrame {
  return {
    t: "stats", node, inc, rseq, sent: 0, received: 0, acked: 0, failed: 0, seed: 0, dropped: 0, droppedEvents: 0, ignored: 0,
    inbox: 0, queue: 0, memory: 0, sentTo: [], failedTo: [], ackedBy: [], recvFrom: [], ...parts,
  };
}

export function setup(over: Partial<BooksOptions> = {}) {
  const clock = { t: 1_000_000 };
  const batch = new BatchHolder();
  const commits: { node: string; inc: number; upto: number }[] = [];
  const runs = new Map<string, number>();
  const books = new Books({
    lossTimeoutMs: 1000,
    sameClock: () => true,
    batch,
    now: () => clock.t,
    commit: (c) => commits.push(c),
    onRunSent: (run, _node, n) => runs.set(run, (runs.get(run) ?? 0) + n),
    ...over,
  });
  books.setBridgeUp(true);
  return { books, clock, batch, commits, runs };
}

/** sent = received + lost + inFlight, in total and for every sender. */
export function invariantHolds(books: Books): boolean {
  const s = books.stats();
  return balanced(s) && Object.values(s.perNode).every(balanced);
}
