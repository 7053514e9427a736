import Database from "better-sqlite3";
import { nearestRank, percentileDiscFraction } from "../../lib/percentile";
import type { LatencyKind, MessageStatus } from "../../lib/contracts/common";
import type { ClusterEventDTO, MessageDTO } from "../../lib/contracts/http-replies";
import { eventRowToDTO, type EventRow, mapIterator, type MessageRow, rowToDTO } from "./rows";
import { isMissingFunction } from "./series-sql";

// The history as an export reads it: one read-only connection, one snapshot, rows streamed.

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

export type { LatencyKind };

/** Which latency a row holds: "one-way" or "half-rtt" (see MessageDTO.latencyKind); NULL: none. */
export const LATENCY_KIND_SQL = "latency_kind";

type GroupRow = [string, string, MessageStatus, number, number, LatencyKind | "unknown" | null];

/**
 * A read-only view of the history for an export, on its own connection: a read transaction
 * pins one snapshot (WAL lets the writer go on), and rows are streamed with `.iterate()`
 * without blocking the writer connection. Call `close()` when done (also after an error).
 */
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
    for (const row of stmt.iterate(this.params) as IterableIterator<GroupRow>) {
      addToGroups(map, row);
      const kind = row[5];
      if (kind) withLatency[kind]++;
      if (++i % slice === 0) await pause();
    }
    return { groups: [...map.values()], withLatency };
  }

  /**
   * Nearest-rank percentiles (lib/percentile.ts) and the maximum of the stored latencies,
   * computed in SQLite: its percentile_disc() aggregate when it has one, else a sorted cursor
   * streamed here. No array of all latencies is built in JS either way.
   */
  latency(kind?: LatencyKind | "unknown", known?: number): LatencySummary {
    const ofKind = kind ? ` AND ${LATENCY_KIND_SQL} = '${kind === "one-way" ? "one-way" : kind === "half-rtt" ? "half-rtt" : "unknown"}'` : "";
    const where = `${this.mWhere} AND latency_ms IS NOT NULL AND status IN ('received','acked')${ofKind}`;
    const n = known ?? (this.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE ${where}`).get(this.params) as { n: number }).n;
    if (n === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
    try {
      const f = (p: number) => percentileDiscFraction(p, n);
      return this.db
        .prepare(
          `SELECT percentile_disc(latency_ms, @f50) AS p50, percentile_disc(latency_ms, @f95) AS p95,
                  percentile_disc(latency_ms, @f99) AS p99, MAX(latency_ms) AS max, COUNT(*) AS count FROM messages WHERE ${where}`,
        )
        .get({ ...this.params, f50: f(50), f95: f(95), f99: f(99) }) as LatencySummary;
    } catch (err) {
      if (!isMissingFunction(err)) throw err;
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

function addToGroups(map: Map<string, MessageGroup>, [from, to, status, seed, at]: GroupRow): void {
  const key = `${status}\u0000${seed}\u0000${from}\u0000${to}`;
  const g = map.get(key);
  if (!g) {
    map.set(key, { from, to, status, seed: seed === 1, n: 1, first: at, last: at });
    return;
  }
  g.n++;
  if (at < g.first) g.first = at;
  if (at > g.last) g.last = at;
}

/**
 * Nearest-rank percentiles (lib/percentile.ts) of `n` values read in ascending order, and the
 * maximum (the last). Reads the iterator once, keeping nothing but the answers.
 */
export function latencySummary(n: number, ascending: Iterator<number>): LatencySummary {
  const out: LatencySummary = { count: n, p50: null, p95: null, p99: null, max: null };
  if (n <= 0) return out;
  const want = ([["p50", 50], ["p95", 95], ["p99", 99]] as const).map(([k, p]) => [k, nearestRank(p, n)] as const);
  let i = 0;
  let last: number | null = null;
  for (let r = ascending.next(); !r.done; r = ascending.next()) {
    i++;
    last = r.value;
    for (const [k, at] of want) if (at === i) out[k] = r.value;
    if (i >= n) break; // rows added after the count (none in a snapshot) are not read
  }
  ascending.return?.();
  out.max = last;
  out.count = i;
  return out;
}
