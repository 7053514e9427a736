import type { MessageDTO } from "../../lib/contracts/http-replies";
import type { Ledger } from "./ledger";
import type { PairBook } from "./pair";
import { bulkId } from "./sampler";

// A bulk message (no id of its own: `p<pair>.<seq>`) answered from its pair's books and the
// stored runs: its status from the books, its times and latency decoded from the run it is in.
// The export's expansion of the stored runs (server/store/export-runs.ts) builds its rows here too;
// the id is `bulkId` (sampler.ts).

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
  const received = fate.is === "received" || fate.is === "older";
  const verdict = { received, acked: received && seq <= p.ackedUpTo, lost: fate.is === "lost" ? fate.reason : null };
  return bulkMessageDTO(p, seq, runs.times(p.id, seq), verdict);
}

/** What the books say of one seq: received (and acked), or lost with its reason, else in flight. */
export interface BulkVerdict {
  received: boolean;
  acked: boolean;
  lost: string | null;
}

/**
 * A bulk message as the API shows it: its times from the runs (the send time from the reception
 * and its latency when the sender's run has no detail), and its latency: one-way on one clock,
 * else half the acked round trip.
 */
export function bulkMessageDTO(p: { id: number; from: string; to: string; sameClock: boolean }, seq: number, t: RunTimes, v: BulkVerdict): MessageDTO {
  const sentAt = t.t0 !== null ? t.t0 / 1000 : t.t1 !== null && t.latUs !== null ? (t.t1 - t.latUs) / 1000 : null;
  const ackedAt = v.acked && t.t2 !== null ? t.t2 / 1000 : null;
  let latencyMs: number | null = null;
  if (v.received && p.sameClock && t.latUs !== null) latencyMs = t.latUs / 1000;
  else if (v.received && !p.sameClock && ackedAt !== null && sentAt !== null) latencyMs = Math.max(0, Math.round(((ackedAt - sentAt) / 2) * 1000) / 1000);
  return {
    id: bulkId(p.id, seq),
    from: p.from,
    to: p.to,
    content: "",
    status: v.acked ? "acked" : v.received ? "received" : v.lost !== null ? "lost" : "sent",
    sentAt,
    receivedAt: v.received && t.t1 !== null ? t.t1 / 1000 : null,
    ackedAt,
    latencyMs,
    ...(latencyMs !== null ? { latencyKind: p.sameClock ? ("one-way" as const) : ("half-rtt" as const) } : {}),
    reason: v.lost,
    seed: false,
  };
}
