// The server's own receipt clock for a pair's sent seqs above rHi: when the sender's report of
// them reached the server. Timeouts are judged on it (never on the nodes' clocks). Coarse: one
// mark per MARK_MS, so a seq's timeout is judged late by at most that, never early.

const MARK_MS = 50;

export class ReceiptMarks {
  private hi: number[] = [];
  private at: number[] = [];

  /** Seqs up to `hi` were reported at `now` (server ms). */
  mark(hi: number, now: number): void {
    const last = this.at.length - 1;
    if (last >= 0 && now - this.at[last]! < MARK_MS) {
      this.hi[last] = hi;
      this.at[last] = now;
      return;
    }
    this.hi.push(hi);
    this.at.push(now);
  }

  /** Seqs up to `upTo` are judged (received or lost): their marks go. */
  drop(upTo: number): void {
    let k = 0;
    while (k < this.hi.length && this.hi[k]! <= upTo) k++;
    if (k > 0) {
      this.hi.splice(0, k);
      this.at.splice(0, k);
    }
  }

  /** The highest seq reported more than `timeoutMs` before `now`, counting from `resumedAt` at the earliest (0: none). */
  overdue(now: number, timeoutMs: number, resumedAt: number): number {
    let upTo = 0;
    for (let i = 0; i < this.hi.length; i++) {
      if (Math.max(this.at[i]!, resumedAt) + timeoutMs > now) break;
      upTo = this.hi[i]!;
    }
    return upTo;
  }
}
