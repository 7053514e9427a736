import Database from "better-sqlite3";
import type { ReplayCounts, ReplayItem, ReplayMark, ReplayQuery, ReplayReply } from "../../lib/contracts/replay";
import { REPLAY_SAMPLES_PER_S, REPLAY_SAMPLES_PER_WINDOW } from "../../lib/contracts/replay";
import { applyNodeEvent, emptyNodes, NODE_KINDS, nodeList } from "../../lib/replay-nodes";
import { histogramPercentiles } from "../books/series-agg";
import { eventRowToDTO, type EventRow, type MessageRow, rowToDTO } from "../store/rows";
import { ackedSeconds } from "./acks";
import { newSecondBulk, readPairs, scanRuns, type SecondBulk } from "./runs-scan";

// GET /api/replay, read from the SQLite file on a read-only connection of its own, in one read
// transaction (one snapshot for the whole page). A page merges three time-ordered sources —
// events, tracked and seed messages (by creation), seconds of the series — and never ends between
// two items of the same time, so `after` = the last item's time resumes exactly.

const SERIES_ROW = `SELECT sec, sent, received, lost FROM series`;
const KIND_ORDER = { event: 0, message: 1, second: 2 } as const;

interface SeriesRow {
  sec: number;
  sent: number;
  received: number;
  lost: number;
}

export class ReplayReader {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
  }

  /** One page; `lossTimeoutMs` places a lost tracked message's verdict when no loss range holds it. */
  page(q: ReplayQuery, now: number, lossTimeoutMs: number): ReplayReply {
    return this.db.transaction(() => this.read(q, now, lossTimeoutMs))();
  }

  close(): void {
    this.db.close();
  }

  private read(q: ReplayQuery, now: number, lossTimeoutMs: number): ReplayReply {
    const { first, last } = this.bounds();
    const until = q.until ?? now;
    const since = Math.min(until, Math.max(q.since ?? first ?? until, first ?? -Infinity));
    const from = q.after === undefined ? since : Math.max(q.after, since);
    const strict = q.after !== undefined && q.after >= since;
    const acked = ackedSeconds(this.db, since);
    const cands = [...this.events(from, strict, until, q.limit), ...this.messages(from, strict, until, q.limit, lossTimeoutMs), ...this.seconds(from, strict, until, q.limit, acked.bySecond)];
    cands.sort((a, b) => a.at - b.at || KIND_ORDER[a.type] - KIND_ORDER[b.type]);
    let n = Math.min(q.limit, cands.length);
    while (n < cands.length && cands[n]!.at === cands[n - 1]!.at) n++;
    const items = cands.slice(0, n);
    this.fillSeconds(items, since, until);
    const more = n < cands.length || cands.length >= q.limit;
    const reply: ReplayReply = { since, until, first, last, items, next: more && items.length ? items[items.length - 1]!.at : null };
    if (q.after === undefined) {
      reply.start = this.startAt(since, acked.before);
      reply.marks = this.marks();
    }
    return reply;
  }

  private bounds(): { first: number | null; last: number | null } {
    const r = this.db
      .prepare(
        `SELECT MIN(a) AS first, MAX(b) AS last FROM (
           SELECT MIN(sec) * 1000 AS a, (MAX(sec) + 1) * 1000 AS b FROM series
           UNION ALL SELECT MIN(at), MAX(at) FROM events
           UNION ALL SELECT MIN(created_at), MAX(created_at) FROM messages)`,
      )
      .get() as { first: number | null; last: number | null };
    return r;
  }

  private events(from: number, strict: boolean, until: number, limit: number): ReplayItem[] {
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events WHERE at ${strict ? ">" : ">="} ? AND at <= ? ORDER BY at, seq LIMIT ?`).all(from, until, limit) as EventRow[];
    return rows.map((r) => ({ type: "event", at: r.at, event: eventRowToDTO(r) }));
  }

  private messages(from: number, strict: boolean, until: number, limit: number, lossTimeoutMs: number): ReplayItem[] {
    const rows = this.db.prepare(`SELECT * FROM messages WHERE created_at ${strict ? ">" : ">="} ? AND created_at <= ? ORDER BY created_at, seq LIMIT ?`).all(from, until, limit) as MessageRow[];
    const loss = this.db.prepare(`SELECT at FROM losses WHERE pair = ? AND seq0 <= ? AND seq1 >= ? LIMIT 1`).pluck();
    return rows.map((r) => {
      const message = rowToDTO(r);
      let settledAt: number | null = null;
      if (message.status === "failed") settledAt = r.created_at;
      else if (message.status === "lost") {
        const at = r.pair !== null && r.pair_seq !== null ? (loss.get(r.pair, r.pair_seq, r.pair_seq) as number | undefined) : undefined;
        settledAt = at ?? (message.sentAt ?? r.created_at) + lossTimeoutMs;
      }
      return { type: "message", at: r.created_at, message, settledAt };
    });
  }

  /** Seconds with counts (or acks) in the window, as items whose bulk part `fillSeconds` adds. */
  private seconds(from: number, strict: boolean, until: number, limit: number, acked: Map<number, number>): ReplayItem[] {
    const rows = this.db.prepare(`${SERIES_ROW} WHERE sec ${strict ? ">" : ">="} ? AND sec * 1000 < ? ORDER BY sec LIMIT ?`).all(from / 1000, until, limit) as SeriesRow[];
    const bySec = new Map(rows.map((r) => [r.sec * 1000, r]));
    const edge = rows.length >= limit ? rows[rows.length - 1]!.sec * 1000 : until;
    for (const at of acked.keys()) {
      if ((strict ? at > from : at >= from) && at < until && at <= edge && !bySec.has(at)) bySec.set(at, { sec: at / 1000, sent: 0, received: 0, lost: 0 });
    }
    return [...bySec.values()].map((r) => ({
      type: "second",
      at: r.sec * 1000,
      counts: { sent: r.sent, received: r.received, lost: r.lost, acked: acked.get(r.sec * 1000) ?? 0 },
      p50: null, p95: null, p99: null, nodes: {}, samples: [],
    }));
  }

  /** Latency percentiles, per-node counts and samples of the page's seconds. */
  private fillSeconds(items: ReplayItem[], since: number, until: number): void {
    const secs = items.filter((i) => i.type === "second");
    if (secs.length === 0) return;
    const cap = Math.max(1, Math.min(REPLAY_SAMPLES_PER_S, Math.floor(REPLAY_SAMPLES_PER_WINDOW / Math.max(1, (until - since) / 1000))));
    const bulk = new Map<number, SecondBulk>(secs.map((s) => [s.at, newSecondBulk(s.counts.received, cap)]));
    const a = secs[0]!.at;
    const b = secs[secs.length - 1]!.at + 1000;
    const skip = new Set((this.db.prepare(`SELECT pair || '.' || pair_seq FROM messages WHERE pair IS NOT NULL AND received_at >= ? AND received_at < ?`).pluck().all(a, b) as string[]));
    scanRuns(this.db, readPairs(this.db), a, b, bulk, skip);
    const hist = new Map<number, [number, number][]>();
    for (const r of this.db.prepare(`SELECT sec, bin, n FROM series_lat WHERE sec >= ? AND sec < ? ORDER BY sec, bin`).raw().all(a / 1000, b / 1000) as [number, number, number][]) {
      (hist.get(r[0] * 1000) ?? hist.set(r[0] * 1000, []).get(r[0] * 1000)!).push([r[1], r[2]]);
    }
    for (const s of secs) {
      const bk = bulk.get(s.at)!;
      Object.assign(s, histogramPercentiles(hist.get(s.at) ?? []));
      s.nodes = Object.fromEntries(bk.nodes);
      s.samples = bk.samples;
    }
  }

  /** The counters and the nodes as they stood at `since`. */
  private startAt(since: number, ackedBefore: number): NonNullable<ReplayReply["start"]> {
    const c = this.db.prepare(`SELECT COALESCE(SUM(sent), 0) AS sent, COALESCE(SUM(received), 0) AS received, COALESCE(SUM(lost), 0) AS lost FROM series WHERE sec * 1000 < ?`).get(since) as Omit<ReplayCounts, "acked">;
    const st = emptyNodes();
    const kinds = NODE_KINDS.map((k) => `'${k}'`).join(",");
    for (const r of this.db.prepare(`SELECT at, kind, node, text FROM events WHERE kind IN (${kinds}) AND at < ? ORDER BY seq`).iterate(since) as IterableIterator<EventRow>) {
      applyNodeEvent(st, eventRowToDTO(r));
    }
    return { counts: { ...c, acked: Math.min(ackedBefore, c.received) }, nodes: nodeList(st), desiredReplicas: st.desired };
  }

  /** Deploys and traffic runs of the whole history, oldest first (the newest 200). */
  private marks(): ReplayMark[] {
    const rows = this.db.prepare(`SELECT at, kind, text FROM events WHERE kind IN ('deploy', 'traffic') ORDER BY seq DESC LIMIT 200`).all() as ReplayMark[];
    return rows.reverse();
  }
}
