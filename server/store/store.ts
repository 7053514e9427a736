import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import type { ClusterEventDTO, MessageDTO, MessageStatus, NodeCountsDTO, SeriesDTO } from "../../lib/types";
import type { TrackedMessage } from "../messages/tracker";
import { type BucketCounts, NODE_EVENT_KINDS, replayNodesUp, type SeriesRequest, seriesPoints, seriesWindow } from "./series";

interface MessageRow {
  id: string;
  from_node: string;
  to_node: string;
  content: string;
  status: MessageStatus;
  sent_at: number | null;
  received_at: number | null;
  acked_at: number | null;
  latency_ms: number | null;
  latency_kind: "one-way" | "half-rtt" | null;
  reason: string | null;
  seed: number;
}

function rowToDTO(r: MessageRow): MessageDTO {
  return {
    id: r.id,
    from: r.from_node,
    to: r.to_node,
    content: r.content,
    status: r.status,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    ackedAt: r.acked_at,
    latencyMs: r.latency_ms,
    ...(r.latency_kind ? { latencyKind: r.latency_kind } : {}),
    reason: r.reason,
    seed: r.seed === 1,
  };
}

/**
 * The embedded SQLite file: messages and cluster events, so history survives a restart.
 * Writes are batched by the caller (one transaction per flush); WAL keeps readers unblocked.
 */
export class Store {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private seriesStmt?: Database.Statement;

  constructor(private readonly file: string, private readonly retention: number) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        from_node TEXT NOT NULL,
        to_node TEXT NOT NULL,
        content TEXT NOT NULL,
        status TEXT NOT NULL,
        sent_at REAL, received_at REAL, acked_at REAL, latency_ms REAL, latency_kind TEXT,
        reason TEXT,
        seed INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL, kind TEXT NOT NULL, node TEXT, text TEXT NOT NULL
      );
      -- For the time series (Store.series): each bucket's counts are index range scans. Partial
      -- indexes whose rows change status on every update (sent → received → acked) are costly to
      -- write; that one holds the status instead.
      CREATE INDEX IF NOT EXISTS messages_sent_status ON messages(${SENT_TIME}, status);
      CREATE INDEX IF NOT EXISTS messages_lost_time ON messages(${LOST_TIME}) WHERE ${COUNTED_LOST};
      CREATE INDEX IF NOT EXISTS messages_received ON messages(received_at, latency_ms) WHERE ${COUNTED_RECEIVED};
      CREATE INDEX IF NOT EXISTS events_kind ON events(kind, at);
    `);
    const cols = this.db.prepare(`PRAGMA table_info(messages)`).all() as { name: string }[];
    if (!cols.some((c) => c.name === "latency_kind")) this.db.exec(`ALTER TABLE messages ADD COLUMN latency_kind TEXT`);
    this.upsert = this.db.prepare(`
      INSERT INTO messages (id, from_node, to_node, content, status, sent_at, received_at, acked_at, latency_ms, latency_kind, reason, seed, created_at)
      VALUES (@id, @from, @to, @content, @status, @sentAt, @receivedAt, @ackedAt, @latencyMs, @latencyKind, @reason, @seed, @createdAt)
      ON CONFLICT(id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
        received_at = excluded.received_at, acked_at = excluded.acked_at,
        latency_ms = excluded.latency_ms, latency_kind = excluded.latency_kind, reason = excluded.reason`);
    this.insertEvent = this.db.prepare(`INSERT INTO events (at, kind, node, text) VALUES (@at, @kind, @node, @text)`);
  }

  saveMessages(ms: TrackedMessage[]): void {
    if (ms.length === 0) return;
    const tx = this.db.transaction((rows: TrackedMessage[]) => {
      for (const m of rows) {
        this.upsert.run({
          id: m.id, from: m.from, to: m.to, content: m.content, status: m.status,
          sentAt: m.sentAt, receivedAt: m.receivedAt, ackedAt: m.ackedAt, latencyMs: m.latencyMs, latencyKind: m.latencyKind ?? null,
          reason: m.reason, seed: m.seed ? 1 : 0, createdAt: m.createdAt,
        });
      }
    });
    tx(ms);
  }

  saveEvents(es: ClusterEventDTO[]): void {
    if (es.length === 0) return;
    const tx = this.db.transaction((rows: ClusterEventDTO[]) => {
      for (const e of rows) this.insertEvent.run({ at: e.at, kind: e.kind, node: e.node ?? null, text: e.text });
    });
    tx(es);
  }

  /** Newest first; with `after` (ms epoch), those created after it, oldest first. */
  listMessages(limit: number, after?: number): MessageDTO[] {
    const rows =
      after === undefined
        ? this.db.prepare(`SELECT * FROM messages ORDER BY seq DESC LIMIT ?`).all(limit)
        : this.db.prepare(`SELECT * FROM messages WHERE created_at > ? ORDER BY seq ASC LIMIT ?`).all(after, limit);
    return (rows as MessageRow[]).map(rowToDTO);
  }

  getMessage(id: string): MessageDTO | undefined {
    const r = this.db.prepare(`SELECT * FROM messages WHERE id = ?`).get(id) as MessageRow | undefined;
    return r ? rowToDTO(r) : undefined;
  }

  listEvents(limit: number): ClusterEventDTO[] {
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events ORDER BY seq DESC LIMIT ?`).all(limit) as {
      at: number; kind: string; node: string | null; text: string;
    }[];
    return rows.map((r) => ({ at: r.at, kind: r.kind, text: r.text, ...(r.node ? { node: r.node } : {}) }));
  }

  /**
   * After a restart: messages still in flight were never seen arriving, and can no longer be:
   * they are marked lost, with that reason. Then the counters are rebuilt from the rows.
   */
  recover(): { totals: NodeCountsDTO & { failed: number }; perNode: Record<string, NodeCountsDTO>; inbound: Record<string, number> } {
    this.db
      .prepare(`UPDATE messages SET status = 'lost', reason = 'the dashboard restarted before its reception was seen' WHERE status = 'sent'`)
      .run();
    this.db
      .prepare(`UPDATE messages SET status = 'failed', reason = 'the dashboard restarted before the sender reported it' WHERE status = 'pending'`)
      .run();
    const rows = this.db
      .prepare(`SELECT from_node AS node, status, COUNT(*) AS n FROM messages GROUP BY from_node, status`)
      .all() as { node: string; status: MessageStatus; n: number }[];
    const totals = { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0 };
    const perNode: Record<string, NodeCountsDTO> = {};
    for (const r of rows) {
      const c = (perNode[r.node] ??= { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 });
      for (const target of [totals, c]) {
        if (r.status === "failed") {
          if (target === totals) totals.failed += r.n;
          continue;
        }
        target.sent += r.n;
        if (r.status === "received" || r.status === "acked") target.received += r.n;
        if (r.status === "acked") target.acked += r.n;
        if (r.status === "lost") target.lost += r.n;
      }
    }
    const inboundRows = this.db
      .prepare(`SELECT to_node AS node, COUNT(*) AS n FROM messages WHERE status IN ('received','acked') GROUP BY to_node`)
      .all() as { node: string; n: number }[];
    const inbound = Object.fromEntries(inboundRows.map((r) => [r.node, r.n]));
    return { totals, perNode, inbound };
  }

  /**
   * Messages sent, received and lost per time bucket, latency percentiles of the messages received
   * in each, and nodes up at each bucket's end (see series.ts for the window and the buckets).
   * Counted in SQL, one row per bucket: each count is an index range scan (a GROUP BY over the
   * whole window re-reads every row and sorts it, several times slower on a million rows). Buckets
   * are read in slices sized to take about `sliceMs` each, with `pause` between them, so a big
   * window does not hold the event loop.
   */
  async series(req: SeriesRequest, now: number, pause: () => Promise<void> = async () => {}, sliceMs = 40): Promise<SeriesDTO> {
    const { first } = this.db.prepare(SERIES_FIRST_SQL).get() as { first: number | null };
    const w = seriesWindow(req, now, first);
    const counts: BucketCounts[] = [];
    let slice = 4;
    for (let k0 = 0; k0 < w.count; ) {
      const k1 = Math.min(w.count, k0 + slice);
      const started = performance.now();
      const rows = this.seriesStatement().all({ since: w.since, until: w.until, bucket: w.bucketMs, n: w.count, k0, k1 }) as SeriesRow[];
      slice = Math.min(200, Math.max(1, Math.floor(((k1 - k0) * sliceMs) / Math.max(1, performance.now() - started))));
      k0 = k1;
      if (k0 < w.count) await pause();
      for (const r of rows) {
        const [p50, p95, p99] = r.latency ? (JSON.parse(r.latency) as (number | null)[]) : [];
        counts.push({ k: r.k, sent: r.sent, received: r.received, lost: r.lost, p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null });
      }
    }
    const events = this.db
      .prepare(`SELECT at, kind, node, text FROM events WHERE kind IN (${NODE_EVENT_KINDS.map((k) => `'${k}'`).join(",")}) AND at < ? ORDER BY seq`)
      .all(w.until) as EventRow[];
    const nodesUp = replayNodesUp(events.map(eventRowToDTO), w);
    return { since: w.since, until: w.until, bucketMs: w.bucketMs, points: seriesPoints(w, counts, nodesUp) };
  }

  /** percentile_disc() when this SQLite has it (better-sqlite3's does), else sorted lookups. */
  private seriesStatement(): Database.Statement {
    if (this.seriesStmt) return this.seriesStmt;
    try {
      this.seriesStmt = this.db.prepare(seriesSql("percentile_disc"));
    } catch (err) {
      if (!/no such function/i.test((err as Error).message)) throw err;
      this.seriesStmt = this.db.prepare(seriesSql("sorted"));
    }
    return this.seriesStmt;
  }

  /** Keep at most `retention` messages (the oldest go first). */
  enforceRetention(): number {
    const r = this.db
      .prepare(`DELETE FROM messages WHERE seq <= (SELECT MAX(seq) FROM messages) - ?`)
      .run(this.retention);
    this.db.prepare(`DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?`).run(this.retention);
    return r.changes;
  }

  close(): void {
    this.db.close();
  }

  /**
   * A read-only view of the history for an export, on its own connection: a read transaction
   * pins one snapshot (WAL lets the writer go on), and rows are streamed with `.iterate()`
   * without blocking the writer connection. Call `close()` when done (also after an error).
   */
  openExport(range: ExportRange = {}): ExportReader {
    return new ExportReader(this.file, range);
  }
}

// When a message counts for the series: sent when it left (a seed message, whose sender is not
// known, when it arrived), lost by when it was sent, received when it arrived. The statuses are
// the ones the counters count (recover()), so the series adds up to the stats.
const SENT_TIME = "COALESCE(sent_at, received_at, created_at)";
const LOST_TIME = "COALESCE(sent_at, created_at)";
const COUNTED_SENT = "status IN ('sent','received','acked','lost')";
const COUNTED_LOST = "status = 'lost'";
const COUNTED_RECEIVED = "status IN ('received','acked')";

/** Where the data starts: the oldest counted message, or the first node to join. */
const SERIES_FIRST_SQL = `SELECT MIN(x) AS first FROM (
  SELECT MIN(${SENT_TIME}) AS x FROM messages WHERE ${COUNTED_SENT}
  UNION ALL SELECT MIN(received_at) FROM messages WHERE ${COUNTED_RECEIVED}
  UNION ALL SELECT MIN(at) FROM events WHERE kind = 'nodeup')`;

interface SeriesRow {
  k: number;
  sent: number;
  lost: number;
  received: number;
  latency: string | null; // JSON [p50, p95, p99]
}

/** Nearest rank ceil(p/100 · n), at least 1, in SQL without ceil() (math functions are optional). */
const rankSql = (p: number, n: string) => `MAX(1, CAST(${p / 100} * ${n} AS INTEGER) + (${p / 100} * ${n} > CAST(${p / 100} * ${n} AS INTEGER)))`;

/**
 * One row per bucket k in [@k0, @k1) of the window (@since, @bucket, @n buckets, the last ending
 * at @until): its counts, and the nearest-rank latency percentiles of the messages received in it.
 * percentile_disc(Y, f) takes the value at index floor((n-1)·f), so f is chosen per bucket to land
 * on the nearest rank (as ExportReader.latency does); "sorted" numbers the sorted rows to find it.
 */
export function seriesSql(percentiles: "percentile_disc" | "sorted"): string {
  const received = `FROM messages WHERE received_at >= c.lo AND received_at < c.hi AND ${COUNTED_RECEIVED}`;
  const pick = (p: number) =>
    percentiles === "percentile_disc"
      ? `percentile_disc(latency_ms, MIN(1.0, (${rankSql(p, "c.timed")} - 0.5) / MAX(1, c.timed - 1)))`
      : `(SELECT v FROM (SELECT latency_ms AS v, ROW_NUMBER() OVER (ORDER BY latency_ms) AS r ${received} AND latency_ms IS NOT NULL) WHERE r = ${rankSql(p, "c.timed")})`;
  const latency =
    percentiles === "percentile_disc"
      ? `(SELECT json_array(${pick(50)}, ${pick(95)}, ${pick(99)}) ${received})`
      : `json_array(${pick(50)}, ${pick(95)}, ${pick(99)})`;
  return `WITH RECURSIVE b(k, lo, hi) AS (
      SELECT @k0, @since + @k0 * @bucket, CASE WHEN @k0 + 1 >= @n THEN @until ELSE @since + (@k0 + 1) * @bucket END
      UNION ALL
      SELECT k + 1, hi, CASE WHEN k + 2 >= @n THEN @until ELSE @since + (k + 2) * @bucket END FROM b WHERE k + 1 < @k1
    ), c AS MATERIALIZED (
      SELECT k, lo, hi,
        (SELECT COUNT(*) FROM messages WHERE ${SENT_TIME} >= b.lo AND ${SENT_TIME} < b.hi AND ${COUNTED_SENT}) AS sent,
        (SELECT COUNT(*) FROM messages WHERE ${LOST_TIME} >= b.lo AND ${LOST_TIME} < b.hi AND ${COUNTED_LOST}) AS lost,
        (SELECT COUNT(*) FROM messages WHERE received_at >= b.lo AND received_at < b.hi AND ${COUNTED_RECEIVED}) AS received,
        (SELECT COUNT(latency_ms) FROM messages WHERE received_at >= b.lo AND received_at < b.hi AND ${COUNTED_RECEIVED}) AS timed
      FROM b
    )
    SELECT k, sent, lost, received, CASE WHEN timed > 0 THEN ${latency} END AS latency FROM c ORDER BY k`;
}

/** Bounds on `created_at` (messages) and `at` (events), ms epoch, both inclusive. */
export interface ExportRange {
  since?: number;
  until?: number;
}

/** Stored messages counted by sender, receiver, status and kind, with their creation span. */
export interface MessageGroup {
  from: string;
  to: string;
  status: MessageStatus;
  seed: boolean;
  n: number;
  first: number;
  last: number;
}

export interface ReasonCount {
  reason: string;
  n: number;
  examples: { id: string; from: string; to: string; sentAt: number | null; createdAt: number }[];
}

export interface SeedReception {
  from: string;
  to: string;
  n: number;
  first: number | null;
  last: number | null;
  example: string;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export type LatencyKind = "one-way" | "half-rtt";

/** Which latency a row holds: "one-way" or "half-rtt" (see MessageDTO.latencyKind); NULL: none. */
export const LATENCY_KIND_SQL = "latency_kind";

export class ExportReader {
  private readonly db: Database.Database;
  private readonly mWhere: string;
  private readonly mScanWhere: string;
  private readonly eWhere: string;
  private readonly params: { since: number; until: number };
  private closed = false;

  constructor(file: string, range: ExportRange) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.params = { since: range.since ?? -Infinity, until: range.until ?? Infinity };
    // Only the bounds given: with none, a plain scan in seq order (no index, no sort).
    const where = (col: string) =>
      [range.since !== undefined ? `${col} >= @since` : "", range.until !== undefined ? `${col} <= @until` : ""].filter(Boolean).join(" AND ") || "1";
    this.mWhere = where("created_at");
    // Streams in seq order: "+created_at" keeps SQLite off the created_at index, whose order
    // would need the whole range sorted before the first row.
    this.mScanWhere = where("+created_at");
    this.eWhere = where("at");
    // The first read inside the transaction fixes the snapshot every later query sees.
    this.db.exec("BEGIN");
    this.db.prepare(`SELECT 1 FROM messages LIMIT 1`).get();
  }

  /**
   * Every count the report needs, in one streamed scan: messages by sender, receiver, status and
   * kind (a few thousand groups at most: nodes² × statuses), and how many have a latency. The
   * rows are read in slices; `pause` runs between slices so a big history does not hold the
   * event loop (the cursor is on this connection, the writer is not blocked meanwhile).
   */
  async groups(
    pause: () => Promise<void> = async () => {},
    slice = 20_000,
  ): Promise<{ groups: MessageGroup[]; withLatency: Record<LatencyKind | "unknown", number> }> {
    const stmt = this.db
      .prepare(
        `SELECT from_node, to_node, status, seed, created_at,
                CASE WHEN status IN ('received','acked') THEN ${LATENCY_KIND_SQL} END AS kind
         FROM messages WHERE ${this.mWhere}`,
      )
      .raw();
    const map = new Map<string, MessageGroup>();
    const withLatency = { "one-way": 0, "half-rtt": 0, unknown: 0 };
    let i = 0;
    for (const row of stmt.iterate(this.params) as IterableIterator<[string, string, MessageStatus, number, number, LatencyKind | "unknown" | null]>) {
      const [from, to, status, seed, at, kind] = row;
      const key = `${status}\u0000${seed}\u0000${from}\u0000${to}`;
      const g = map.get(key);
      if (g) {
        g.n++;
        if (at < g.first) g.first = at;
        if (at > g.last) g.last = at;
      } else {
        map.set(key, { from, to, status, seed: seed === 1, n: 1, first: at, last: at });
      }
      if (kind) withLatency[kind]++;
      if (++i % slice === 0) await pause();
    }
    return { groups: [...map.values()], withLatency };
  }

  /**
   * Nearest-rank percentiles (the value at rank ceil(p/100 · n)) and the maximum of the stored
   * latencies, computed in SQLite: its percentile_disc() aggregate when it has one (index
   * floor((n-1)·f), so f is chosen to land on the nearest rank), else a sorted cursor streamed
   * here. No array of all latencies is built in JS either way.
   */
  latency(kind?: LatencyKind | "unknown", known?: number): LatencySummary {
    const ofKind = kind ? ` AND ${LATENCY_KIND_SQL} = '${kind === "one-way" ? "one-way" : kind === "half-rtt" ? "half-rtt" : "unknown"}'` : "";
    const where = `${this.mWhere} AND latency_ms IS NOT NULL AND status IN ('received','acked')${ofKind}`;
    const n = known ?? (this.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE ${where}`).get(this.params) as { n: number }).n;
    if (n === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
    const frac = (p: number) => (n === 1 ? 0 : Math.min(1, (Math.max(1, Math.ceil((p / 100) * n)) - 1 + 0.5) / (n - 1)));
    try {
      const r = this.db
        .prepare(
          `SELECT percentile_disc(latency_ms, @f50) AS p50, percentile_disc(latency_ms, @f95) AS p95,
                  percentile_disc(latency_ms, @f99) AS p99, MAX(latency_ms) AS max, COUNT(*) AS count FROM messages WHERE ${where}`,
        )
        .get({ ...this.params, f50: frac(50), f95: frac(95), f99: frac(99) }) as LatencySummary;
      return r;
    } catch (err) {
      if (!/no such function/i.test((err as Error).message)) throw err;
    }
    const stmt = this.db.prepare(`SELECT latency_ms AS v FROM messages WHERE ${where} ORDER BY latency_ms`).pluck();
    return latencySummary(n, stmt.iterate(this.params) as IterableIterator<number>);
  }

  /** Messages of one status grouped by reason, most frequent first, with a few examples each. */
  reasons(status: "lost" | "failed", limit = 20, examples = 3): ReasonCount[] {
    const groups = this.db
      .prepare(`SELECT COALESCE(reason, '(no reason recorded)') AS reason, COUNT(*) AS n FROM messages WHERE ${this.mWhere} AND status = @status GROUP BY 1 ORDER BY n DESC, reason LIMIT @limit`)
      .all({ ...this.params, status, limit }) as { reason: string; n: number }[];
    const ex = this.db.prepare(
      `SELECT id, from_node AS "from", to_node AS "to", sent_at AS sentAt, created_at AS createdAt FROM messages
       WHERE ${this.mWhere} AND status = @status AND COALESCE(reason, '(no reason recorded)') = @reason ORDER BY seq LIMIT @examples`,
    );
    return groups.map((g) => ({ ...g, examples: ex.all({ ...this.params, status, reason: g.reason, examples }) as ReasonCount["examples"] }));
  }

  /** Seed-protocol receptions ({send, From, Content}), grouped by sender and receiver. */
  seedReceptions(limit = 50): SeedReception[] {
    return this.db
      .prepare(
        `SELECT from_node AS "from", to_node AS "to", COUNT(*) AS n, MIN(received_at) AS first, MAX(received_at) AS last, MIN(content) AS example
         FROM messages WHERE ${this.mWhere} AND seed = 1 GROUP BY from_node, to_node ORDER BY n DESC, from_node LIMIT @limit`,
      )
      .all({ ...this.params, limit }) as SeedReception[];
  }

  /** Events of the given kinds, oldest first (all of them when `kinds` is absent). */
  events(kinds?: string[], limit = 1_000_000): ClusterEventDTO[] {
    const byKind = kinds ? ` AND kind IN (${kinds.map(() => "?").join(",")})` : "";
    const rows = this.db
      .prepare(`SELECT at, kind, node, text FROM events WHERE at >= ? AND at <= ?${byKind} ORDER BY seq DESC LIMIT ?`)
      .all(this.params.since, this.params.until, ...(kinds ?? []), limit) as EventRow[];
    rows.reverse();
    return rows.map(eventRowToDTO);
  }

  /** Every event in the range, oldest first, one at a time. */
  iterateEvents(): IterableIterator<ClusterEventDTO> {
    const it = this.db.prepare(`SELECT at, kind, node, text FROM events WHERE ${this.eWhere} ORDER BY seq`).iterate(this.params) as IterableIterator<EventRow>;
    return mapIterator(it, eventRowToDTO);
  }

  /** Every message in the range, in creation order (seq), one at a time, with its latency kind. */
  iterateMessages(): IterableIterator<MessageDTO> {
    const it = this.db
      .prepare(`SELECT * FROM messages WHERE ${this.mScanWhere} ORDER BY seq`)
      .iterate(this.params) as IterableIterator<MessageRow>;
    return mapIterator(it, rowToDTO);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.db.inTransaction) this.db.exec("COMMIT");
    } catch {
      /* a cursor still open: closing the connection ends the read transaction anyway */
    }
    this.db.close();
  }
}

interface EventRow {
  at: number;
  kind: string;
  node: string | null;
  text: string;
}

function eventRowToDTO(r: EventRow): ClusterEventDTO {
  return { at: r.at, kind: r.kind, text: r.text, ...(r.node ? { node: r.node } : {}) };
}

/** Maps an iterator lazily; `return()` reaches the source, so an abandoned SQLite cursor is released. */
function mapIterator<A, B>(src: IterableIterator<A>, fn: (a: A) => B): IterableIterator<B> {
  const out: IterableIterator<B> = {
    next() {
      const r = src.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: fn(r.value) };
    },
    return(value?: unknown) {
      src.return?.();
      return { done: true, value: value as B };
    },
    [Symbol.iterator]() {
      return out;
    },
  };
  return out;
}

/**
 * Nearest-rank percentiles (the value at rank ceil(p/100 · n)) of `n` values read in ascending
 * order, and the maximum (the last). Reads the iterator once, keeping nothing but the answers.
 */
export function latencySummary(n: number, ascending: Iterator<number>): LatencySummary {
  const out: LatencySummary = { count: n, p50: null, p95: null, p99: null, max: null };
  if (n <= 0) return out;
  const rank = (p: number) => Math.max(1, Math.ceil((p / 100) * n));
  const want: [keyof LatencySummary, number][] = [
    ["p50", rank(50)],
    ["p95", rank(95)],
    ["p99", rank(99)],
  ];
  let i = 0;
  let last: number | null = null;
  for (let r = ascending.next(); !r.done; r = ascending.next()) {
    i++;
    last = r.value;
    for (const [k, at] of want) if (at === i) (out as unknown as Record<string, number>)[k] = r.value;
    if (i >= n) break; // rows added after the count (none in a snapshot) are not read
  }
  ascending.return?.();
  out.max = last;
  out.count = i;
  return out;
}
