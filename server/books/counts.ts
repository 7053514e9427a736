import type { NodeCountsDTO } from "../../lib/contracts/http-replies";

// The five counts every book keeps, and sums of them. sent = received + lost + inFlight holds
// for each pair by construction (pair.ts), so it holds for every sum of pairs too.

export type Counts = NodeCountsDTO;
export const COUNT_KEYS = ["sent", "received", "acked", "lost", "inFlight"] as const;

export function zeroCounts(): Counts {
  return { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 };
}

/** a += sign · b, key by key. */
export function addCounts(a: Counts, b: Counts, sign: 1 | -1 = 1): Counts {
  for (const k of COUNT_KEYS) a[k] += sign * b[k];
  return a;
}

export function diffCounts(after: Counts, before: Counts): Counts {
  return addCounts({ ...after }, before, -1);
}

export function isZero(c: Counts): boolean {
  return COUNT_KEYS.every((k) => c[k] === 0);
}

export function balanced(c: Counts): boolean {
  return c.sent === c.received + c.lost + c.inFlight;
}
