import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Books } from "../books/books";
import { A, B, C, recvRun, report, sentRun } from "../books/test-frames";
import { Store } from "./store";

// For the store's tests: a real SQLite file in a temporary folder, with the books wired to it as
// server/app.ts wires them (counters, commits after a write, the loader and the run reader), on
// a fake clock.

export function booksOnStore(opts: { retention?: number; lossTimeoutMs?: number; sameClock?: (a: string, b: string) => boolean; dir?: string } = {}) {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ss-books-"));
  const file = path.join(dir, "s.db");
  const clock = { t: 1_700_000_000_000 };
  const commits: { node: string; inc: number; upto: number }[] = [];
  const ref: { books?: Books } = {};
  const store = new Store(file, opts.retention ?? 1_000_000, {
    counters: () => (ref.books ? { rows: ref.books.ledger.tally.rows(), dirty: ref.books.ledger.tally.dirty } : null),
    onWritten: (b) => ref.books?.committed(b.applied.values()),
    onHealth: (ok) => ref.books?.setStoreOk(ok),
    now: () => clock.t,
    retry: { firstMs: 5, maxMs: 20 },
  });
  const books = new Books({
    lossTimeoutMs: opts.lossTimeoutMs ?? 1000,
    sameClock: opts.sameClock ?? (() => true),
    batch: store.holder,
    loader: store.queries,
    runs: store.queries,
    loadTracked: (id) => store.loadTracked(id),
    now: () => clock.t,
    commit: (c) => commits.push(c),
  });
  ref.books = books;
  const recovered = store.recover();
  books.restore(recovered.tally, recovered.unfinished);
  books.setBridgeUp(true);
  return {
    dir, file, store, books, clock, commits,
    close(remove = true) {
      store.close();
      if (remove) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A storm in runs: A sends B and C 1000 each in reports of 50; B loses 101..150 (a gap); C's last 200 time out. */
export function storm(s: ReturnType<typeof booksOnStore>) {
  const { books, clock } = s;
  books.onNodeUp(A, 1);
  books.onNodeUp(B, 2);
  books.onNodeUp(C, 3);
  let ra = 0;
  let rb = 0;
  let rc = 0;
  for (let k = 0; k < 20; k++) {
    const seq0 = k * 50 + 1;
    const t0 = clock.t * 1000;
    books.onReport(report(A, 1, ++ra, { sent: [sentRun(B, seq0, 50, t0), sentRun(C, seq0, 50, t0)] }));
    if (seq0 !== 101) books.onReport(report(B, 2, ++rb, { recv: [recvRun(A, 1, seq0, 50, t0 + 100)] }));
    if (seq0 <= 800) books.onReport(report(C, 3, ++rc, { recv: [recvRun(A, 1, seq0, 50, t0 + 100)] }));
    books.onReport(report(A, 1, ++ra, { acked: [[B, seq0 === 101 ? 100 : seq0 + 49, t0 + 300, t0]] }));
    clock.t += 100;
    if (k % 5 === 4) s.store.flush();
  }
  clock.t += 2000;
  books.sweep();
  s.store.flush();
}
