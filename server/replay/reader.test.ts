import { describe, expect, it } from "vitest";
import type { ReplayItem, ReplayReply } from "../../lib/contracts/replay";
import { replayReply } from "../../lib/contracts/replay";
import { A, B, C } from "../books/test-frames";
import { booksOnStore, storm } from "../store/test-books";
import { ReplayReader } from "./reader";

const seconds = (items: ReplayItem[]) => items.filter((i) => i.type === "second");
const total = (items: ReplayItem[], k: "sent" | "received" | "lost" | "acked") => seconds(items).reduce((a, s) => a + s.counts[k], 0);

function pages(file: string, q: { since?: number; until?: number; limit: number }, now: number): { first: ReplayReply; items: ReplayItem[]; n: number } {
  const r = new ReplayReader(file);
  try {
    const first = replayReply.parse(r.page(q, now, 1000));
    const items = [...first.items];
    let next = first.next;
    let n = 1;
    while (next !== null) {
      const p = replayReply.parse(r.page({ ...q, after: next }, now, 1000));
      items.push(...p.items);
      next = p.next;
      n++;
    }
    return { first, items, n };
  } finally {
    r.close();
  }
}

describe("the replay of a stored window", () => {
  it("gives each second's exact counts, per-node counts and a few samples in order, paged or not", () => {
    const s = booksOnStore();
    try {
      storm(s);
      expect(s.books.stats()).toMatchObject({ sent: 2000, received: 1750, lost: 250, acked: 950 });
      const now = s.clock.t + 1000;
      const whole = pages(s.file, { limit: 1000 }, now);
      expect(whole.n).toBe(1);
      expect(whole.first.start).toMatchObject({ counts: { sent: 0, received: 0, lost: 0, acked: 0 } });
      expect([total(whole.items, "sent"), total(whole.items, "received"), total(whole.items, "lost"), total(whole.items, "acked")]).toEqual([2000, 1750, 250, 950]);
      const secs = seconds(whole.items);
      expect(secs.reduce((a, x) => a + (x.nodes[B]?.received ?? 0) + (x.nodes[C]?.received ?? 0), 0)).toBe(1750);
      expect(secs.reduce((a, x) => a + (x.nodes[A]?.sent ?? 0), 0)).toBe(2000);
      const samples = secs.flatMap((x) => x.samples);
      expect(samples.length).toBeGreaterThan(0);
      for (const x of secs) {
        expect(x.samples.length).toBeLessThanOrEqual(20);
        for (const m of x.samples) expect(m.receivedAt! >= x.at && m.receivedAt! < x.at + 1000).toBe(true);
        expect(x.samples.map((m) => m.receivedAt)).toEqual([...x.samples.map((m) => m.receivedAt)].sort((a, b) => a! - b!));
      }
      expect(samples[0]).toMatchObject({ status: "received", sampled: true, latencyMs: 0.1 });
      const ats = whole.items.map((i) => i.at);
      expect(ats).toEqual([...ats].sort((a, b) => a - b));

      const paged = pages(s.file, { limit: 1 }, now);
      expect(paged.n).toBeGreaterThan(2);
      expect(paged.items).toEqual(whole.items);

      // A window after the first second: the counters before it are the start state.
      const second = secs[1]!.at;
      const later = pages(s.file, { since: second, limit: 1000 }, now);
      expect(later.first.since).toBe(second);
      expect(later.first.start!.counts.sent + total(later.items, "sent")).toBe(2000);
      expect(later.first.start!.counts.received + total(later.items, "received")).toBe(1750);
    } finally {
      s.close();
    }
  });
});
