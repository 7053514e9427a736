import type { ExportFormat } from "../lib/contracts/common";
import type { MessageDTO } from "../lib/contracts/http-replies";
import type { Swarmscope } from "./app";
import { buildReport, RECEIVED_LINE, type ReportInput } from "./export-report";
import { addToTally, emptyTally } from "./export-tally";
import type { ExportRange, ExportReader } from "./store/export-reader";

// Proof-of-delivery exports of the stored history: JSON (everything), CSV (one row per tracked
// or seed message; with `expand`, one per message of the stored runs too) and a Markdown
// evidence report from the books. Rows are streamed from SQLite, never loaded all at once.
// Route handlers reach this through server/edge.ts.

export type { ExportFormat };

const EXT: Record<ExportFormat, string> = { json: "json", csv: "csv", report: "md" };
const TYPE: Record<ExportFormat, string> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  report: "text/markdown; charset=utf-8",
};

/** Bytes gathered before a chunk is handed to the response. */
const CHUNK_CHARS = 64 * 1024;

// ---- CSV (RFC 4180) ----

export const CSV_COLUMNS = ["id", "from", "to", "status", "sentAt", "receivedAt", "ackedAt", "latencyMs", "latencyKind", "reason", "seed", "content"] as const;

/**
 * One CSV field. Text that a spreadsheet would run as a formula (starting with = + - @, or a
 * tab / carriage return) gets a leading apostrophe; a field with a comma, quote, CR or LF is
 * quoted, its quotes doubled.
 */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== v ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** ms epoch (fractional, µs resolution) → ISO 8601 UTC with microseconds. */
export function isoMicros(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  let whole = Math.floor(ms);
  let micros = Math.round((ms - whole) * 1000);
  if (micros === 1000) {
    whole += 1;
    micros = 0;
  }
  return `${new Date(whole).toISOString().slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}

export function messageCsvRow(m: MessageDTO): string {
  return csvRow([
    m.id, m.from, m.to, m.status, isoMicros(m.sentAt), isoMicros(m.receivedAt), isoMicros(m.ackedAt),
    m.latencyMs, m.latencyKind ?? null, m.reason, m.seed, m.content,
  ]);
}

// ---- responses ----

export function exportFilename(deployment: string, at: number, format: ExportFormat): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `swarmscope-${deployment.replace(/[^A-Za-z0-9_-]/g, "_")}-${stamp}.${EXT[format]}`;
}

/** Lets the event loop run (socket hub, bridge frames, store flushes) between heavy queries. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The export answer. The store's snapshot and the live counters are taken in the same instant
 * (the tracker's pending changes are written first), so the two can be compared. The report's
 * queries run one per event-loop turn; JSON and CSV stream rows as the client reads them.
 */
export async function exportResponse(app: Swarmscope, format: ExportFormat, range: ExportRange, now = Date.now(), expand = false): Promise<Response> {
  // messages() and events() write the tracker's pending changes to the store first.
  app.events(1);
  const reader = app.store.openExport(range);
  try {
    const stats = app.stats();
    const cluster = app.cluster();
    const deployment = cluster.deploymentId;
    const headers = {
      "content-type": TYPE[format],
      "content-disposition": `attachment; filename="${exportFilename(deployment, now, format)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    };
    if (format === "report") {
      const text = buildReport(await gatherReport(reader, { generatedAt: now, deployment, range, cluster, stats }));
      reader.close();
      return new Response(text, { status: 200, headers });
    }
    const pieces =
      format === "json"
        ? jsonPieces(reader, { generatedAt: now, deployment, runtime: cluster.runtime, range: rangeDTO(range), cluster, stats, pairs: reader.pairProgress() }, expand)
        : csvPieces(reader, expand);
    return new Response(streamOf(pieces, () => reader.close()), { status: 200, headers });
  } catch (err) {
    reader.close();
    throw err;
  }
}

async function gatherReport(reader: ExportReader, head: Pick<ReportInput, "generatedAt" | "deployment" | "range" | "cluster" | "stats">): Promise<ReportInput> {
  const books = await reader.books(breathe);
  const t = books.tally;
  const latency: ReportInput["latency"] = [];
  for (const kind of ["one-way", "half-rtt"] as const) {
    await breathe();
    const summary = reader.latency(kind);
    if (summary.count > 0) latency.push({ kind, summary });
  }
  await breathe();
  const lost = t.lost > 0 ? reader.reasons("lost") : [];
  await breathe();
  const failed = t.failed > 0 ? reader.reasons("failed") : [];
  await breathe();
  const seed = t.seedReceived > 0 ? reader.seedReceptions() : [];
  const nodeEvents = reader.events(["nodeup", "nodedown"], 10_000);
  const activity = reader.events(["deploy", "traffic"], 8);
  return { ...head, books, pairs: reader.pairProgress(), latency, lost, failed, seed, nodeEvents, activity };
}

function rangeDTO(r: ExportRange): { since: number | null; until: number | null } {
  return { since: r.since ?? null, until: r.until ?? null };
}

function* csvPieces(reader: ExportReader, expand: boolean): Generator<string> {
  yield csvRow([...CSV_COLUMNS]);
  for (const m of reader.iterateMessages()) yield messageCsvRow(m);
  if (expand) for (const m of reader.iterateExpanded()) yield messageCsvRow(m);
}

/**
 * The JSON document, written as it streams: tracked and seed messages (with `expand`, every
 * message of the stored runs too) and `pairs`, each pair's books. `stored` comes last: the
 * messages of this file counted the way /api/stats counts, tallied while they go out; without
 * `expand` the runs' messages are not in the file, and `stored` is the stored books' counts.
 */
function* jsonPieces(reader: ExportReader, head: Record<string, unknown>, expand: boolean): Generator<string> {
  const top = JSON.stringify({ ...head, note: RECEIVED_LINE });
  yield `${top.slice(0, -1)},"events":[`;
  let first = true;
  for (const e of reader.iterateEvents()) {
    yield `${first ? "" : ","}\n${JSON.stringify(e)}`;
    first = false;
  }
  yield `],"messages":[`;
  first = true;
  const stored = emptyTally();
  for (const m of reader.iterateMessages()) {
    if (expand) addToTally(stored, m.status, 1, m.seed);
    yield `${first ? "" : ","}\n${JSON.stringify(m)}`;
    first = false;
  }
  if (expand) {
    for (const m of reader.iterateExpanded()) {
      addToTally(stored, m.status, 1, m.seed);
      yield `${first ? "" : ","}\n${JSON.stringify(m)}`;
      first = false;
    }
  }
  yield `],"stored":${JSON.stringify(expand ? stored : reader.booksNow().tally)}}\n`;
}

/**
 * A byte stream pulled from a generator of strings, a chunk at a time (the SQLite cursor only
 * advances when the client reads). `done` runs once: at the end, on error, or when the client
 * goes away.
 */
export function streamOf(pieces: Generator<string>, done: () => void): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    try {
      pieces.return(undefined); // releases an open SQLite cursor
    } finally {
      done();
    }
  };
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      try {
        let buf = "";
        while (buf.length < CHUNK_CHARS) {
          const r = pieces.next();
          if (r.done) {
            if (buf) controller.enqueue(enc.encode(buf));
            controller.close();
            finish();
            return;
          }
          buf += r.value;
        }
        controller.enqueue(enc.encode(buf));
      } catch (err) {
        finish();
        controller.error(err);
      }
    },
    cancel() {
      finish();
    },
  });
}
