import type Database from "better-sqlite3";
import { secondOf } from "./runs-scan";

// Acked messages per second, from the stored cumulative acks: each ack row of a pair moves its
// acked point from the previous row's `up_to` to its own, and the messages in between (less the
// exact losses among them) count as acked in the second of its arrival (`t2`). Retention keeps
// only the newest acks, so a pair whose older rows are gone counts from its oldest row left.

export interface AckedSeconds {
  /** Acked before the window's start. */
  before: number;
  /** Second start (ms) → acked in it, for the seconds from the window's start on. */
  bySecond: Map<number, number>;
}

export function ackedSeconds(db: Database.Database, sinceMs: number): AckedSeconds {
  const losses = new Map<number, [number, number][]>();
  for (const [pair, lo, hi] of db.prepare(`SELECT pair, seq0, seq1 FROM losses`).raw().iterate() as IterableIterator<[number, number, number]>) {
    const l = losses.get(pair) ?? losses.set(pair, []).get(pair)!;
    l.push([lo, hi]);
  }
  const out: AckedSeconds = { before: 0, bySecond: new Map() };
  let pair = -1;
  let prev = 0;
  for (const [p, upTo, t2] of db.prepare(`SELECT pair, up_to, t2 FROM acks ORDER BY pair, up_to`).raw().iterate() as IterableIterator<[number, number, number]>) {
    if (p !== pair) [pair, prev] = [p, 0];
    if (upTo <= prev) continue;
    const n = Math.max(0, upTo - prev - lostIn(losses.get(p), prev, upTo));
    prev = upTo;
    const ms = t2 / 1000;
    if (ms < sinceMs) out.before += n;
    else out.bySecond.set(secondOf(ms), (out.bySecond.get(secondOf(ms)) ?? 0) + n);
  }
  return out;
}

/** Seqs in (lo, hi] that are exact losses. */
function lostIn(ranges: [number, number][] | undefined, lo: number, hi: number): number {
  let n = 0;
  for (const [a, b] of ranges ?? []) n += Math.max(0, Math.min(b, hi) - Math.max(a, lo + 1) + 1);
  return n;
}
