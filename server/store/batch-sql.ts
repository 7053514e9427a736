import type Database from "better-sqlite3";
import type { StoreBatch } from "../books/batch";
import type { TallyRows } from "../books/tally";
import type { TrackedMessage } from "../books/tracked-message";

// The one transaction that writes a batch (writer.ts): tracked messages, events, pairs, runs,
// losses, acks, the applied rseqs, counters and series deltas, all or nothing.

const UPSERT_MESSAGE = `
  INSERT INTO messages (id, from_node, to_node, content, status, sent_at, received_at, acked_at, latency_ms, latency_kind, reason, seed, created_at, pair, pair_seq, from_inc, final)
  VALUES (@id, @from, @to, @content, @status, @sentAt, @receivedAt, @ackedAt, @latencyMs, @latencyKind, @reason, @seed, @createdAt, @pair, @seq, @fromInc, @final)
  ON CONFLICT(id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
    received_at = excluded.received_at, acked_at = excluded.acked_at, latency_ms = excluded.latency_ms,
    latency_kind = excluded.latency_kind, reason = excluded.reason, pair = excluded.pair, pair_seq = excluded.pair_seq,
    from_inc = excluded.from_inc, final = excluded.final`;

export function messageParams(m: TrackedMessage) {
  return {
    id: m.id, from: m.from, to: m.to, content: m.content, status: m.status, sentAt: m.sentAt, receivedAt: m.receivedAt,
    ackedAt: m.ackedAt, latencyMs: m.latencyMs, latencyKind: m.latencyKind ?? null, reason: m.reason, seed: m.seed ? 1 : 0,
    createdAt: m.createdAt, pair: m.pair, seq: m.seq, fromInc: m.fromInc, final: m.final ? 1 : 0,
  };
}

/** Counter rows: "#totals", "#seed" (the seed senders with a row of their own), "node:<name>", "in:<name>". */
export function counterRows(rows: TallyRows, dirty: Set<string>): [string, string | null][] {
  const out: [string, string | null][] = [["#totals", JSON.stringify(rows.totals)], ["#seed", JSON.stringify(rows.seedSenders ?? [])]];
  for (const name of dirty) {
    if (name === "") continue;
    const c = rows.perNode[name];
    out.push([`node:${name}`, c ? JSON.stringify(c) : null]);
    const i = rows.inbound[name];
    out.push([`in:${name}`, i !== undefined ? String(i) : null]);
  }
  return out;
}

export function prepareBatchWrite(db: Database.Database): (b: StoreBatch, counters: { rows: TallyRows; dirty: Set<string> } | null) => void {
  const s = {
    message: db.prepare(UPSERT_MESSAGE),
    event: db.prepare(`INSERT INTO events (at, kind, node, text) VALUES (?, ?, ?, ?)`),
    pair: db.prepare(`INSERT INTO pairs (id, from_node, from_inc, to_node, state) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state`),
    sent: db.prepare(`INSERT INTO sent_runs (pair, seq0, n, t0_first, t0_last, deltas) VALUES (?, ?, ?, ?, ?, ?)`),
    recv: db.prepare(`INSERT INTO recv_runs (pair, to_inc, seq0, n, t1_first, t1_last, deltas, lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    loss: db.prepare(`INSERT INTO losses (pair, seq0, seq1, reason, at) VALUES (?, ?, ?, ?, ?)`),
    ack: db.prepare(`INSERT INTO acks (pair, up_to, t2, t0) VALUES (?, ?, ?, ?)`),
    applied: db.prepare(`INSERT INTO applied (node, inc, rseq) VALUES (?, ?, ?) ON CONFLICT(node, inc) DO UPDATE SET rseq = MAX(rseq, excluded.rseq)`),
    counter: db.prepare(`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`),
    dropCounter: db.prepare(`DELETE FROM counters WHERE name = ?`),
    series: db.prepare(
      `INSERT INTO series (sec, sent, received, lost) VALUES (?, ?, ?, ?) ON CONFLICT(sec) DO UPDATE SET
       sent = sent + excluded.sent, received = received + excluded.received, lost = lost + excluded.lost`,
    ),
    lat: db.prepare(`INSERT INTO series_lat (sec, bin, n) VALUES (?, ?, ?) ON CONFLICT(sec, bin) DO UPDATE SET n = n + excluded.n`),
  };
  const blob = (b64: string | null) => (b64 === null ? null : Buffer.from(b64, "base64"));
  return db.transaction((b: StoreBatch, counters: { rows: TallyRows; dirty: Set<string> } | null) => {
    for (const m of b.messages.values()) s.message.run(messageParams(m));
    for (const e of b.events) s.event.run(e.at, e.kind, e.node ?? null, e.text);
    for (const p of b.pairs) s.pair.run(p.id, p.from, p.fromInc, p.to, JSON.stringify(p.toState()));
    for (const r of b.sent) s.sent.run(r.pair, r.seq0, r.n, r.t0First, r.t0Last, blob(r.deltas));
    for (const r of b.recv) s.recv.run(r.pair, r.toInc, r.seq0, r.n, r.t1First, r.t1Last, blob(r.deltas), blob(r.lat));
    for (const l of b.losses) s.loss.run(l.pair, l.lo, l.hi, l.reason, l.at);
    for (const a of b.acks) s.ack.run(a.pair, a.upTo, a.t2, a.t0);
    for (const a of b.applied.values()) s.applied.run(a.node, a.inc, a.rseq);
    for (const [sec, c] of b.series.counts) s.series.run(sec, c.sent, c.received, c.lost);
    for (const [sec, bins] of b.series.latency) for (const [bin, n] of bins) s.lat.run(sec, bin, n);
    if (counters) {
      for (const [name, value] of counterRows(counters.rows, counters.dirty)) {
        if (value === null) s.dropCounter.run(name);
        else s.counter.run(name, value);
      }
    }
  });
}
