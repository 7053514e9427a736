import type { MessageDTO } from "../../lib/contracts/http-replies";
import type { Ledger } from "./ledger";
import type { PairBook } from "./pair";

// A bulk message (no id of its own: `p<pair>.<seq>`) answered from its pair's books and the
// stored runs: its status from the books, its times and latency decoded from the run it is in.

/** What the stored runs say of one message (times in µs of the clock that stamped them). */
export interface RunTimes {
  t0: number | null;
  t1: number | null;
  latUs: number | null;
  /** The arrival at the sender (µs, its clock) of the first cumulative ack covering it. */
  t2: number | null;
}

export interface RunReader {
  times(pair: number, seq: number): RunTimes;
}

/** No stored runs (the books alone): statuses without times. */
export const noRuns: RunReader = { times: () => ({ t0: null, t1: null, latUs: null, t2: null }) };

/** `p12.1045` → { pair: 12, seq: 1045 }; anything else null. */
export function parseBulkId(id: string): { pair: number; seq: number } | null {
  const m = /^p([1-9]\d{0,14})\.([1-9]\d{0,15})$/.exec(id);
  if (!m) return null;
  const pair = Number(m[1]);
  const seq = Number(m[2]);
  return Number.isSafeInteger(pair) && Number.isSafeInteger(seq) ? { pair, seq } : null;
}

export function bulkMessage(ledger: Ledger, p: PairBook, seq: number, runs: RunReader): MessageDTO | undefined {
  const fate = ledger.fate(p, seq);
  if (fate.is === "unsent") return undefined;
  const t = runs.times(p.id, seq);
  const received = fate.is === "received" || fate.is === "older";
  const acked = received && seq <= p.ackedUpTo;
  const sentAt = t.t0 !== null ? t.t0 / 1000 : t.t1 !== null && t.latUs !== null ? (t.t1 - t.latUs) / 1000 : null;
  const ackedAt = acked && t.t2 !== null ? t.t2 / 1000 : null;
  let latencyMs: number | null = null;
  if (received && p.sameClock && t.latUs !== null) latencyMs = t.latUs / 1000;
  else if (received && !p.sameClock && ackedAt !== null && sentAt !== null) latencyMs = Math.max(0, Math.round(((ackedAt - sentAt) / 2) * 1000) / 1000);
  return {
    id: `p${p.id}.${seq}`,
    from: p.from,
    to: p.to,
    content: "",
    status: acked ? "acked" : received ? "received" : fate.is === "lost" ? "lost" : "sent",
    sentAt,
    receivedAt: received && t.t1 !== null ? t.t1 / 1000 : null,
    ackedAt,
    latencyMs,
    ...(latencyMs !== null ? { latencyKind: p.sameClock ? ("one-way" as const) : ("half-rtt" as const) } : {}),
    reason: fate.is === "lost" ? fate.reason : null,
    seed: false,
  };
}
