import type { MessageDTO } from "../lib/types";
import type { Swarmscope } from "./app";
import { buildReport, RECEIVED_LINE, tally } from "./export-report";
import type { ExportRange, ExportReader } from "./store/store";

// Proof-of-delivery exports of the stored history: JSON (everything), CSV (one row per message)
// and a Markdown evidence report. Rows are streamed from SQLite, never loaded all at once.
// Route handlers import this file; it imports only types from the rest of the server.

export type ExportFormat = "json" | "csv" | "report";

const EXT: Record<ExportFormat, string> = { json: "json", csv: "csv", report: "md" };
const TYPE: Record<ExportFormat, string> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  report: "text/markdown; charset=utf-8",
};

/** Bytes gathered before a chunk is handed to the response. */
const CHUNK_CHARS = 64 * 1024;

// ---- CSV (RFC 4180) ----

export const CSV_COLUMNS = ["id", "from", "to", "status", "sentAt", "receivedAt", "ackedAt", "latencyMs", "reason", "seed", "content"] as const;

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
  return csvRow([m.id, m.from, m.to, m.status, isoMicros(m.sentAt), isoMicros(m.receivedAt), isoMicros(m.ackedAt), m.latencyMs, m.reason, m.seed, m.content]);
}

// ---- responses ----

export function exportFilename(deployment: string, at: number, format: ExportFormat): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `swarmscope-${deployment.replace(/[^A-Za-z0-9_-]/g, "_")}-${stamp}.${EXT[format]}`;
}

/** The export answer; the store's snapshot and the live counters are taken in the same instant. */
export function exportResponse(app: Swarmscope, format: ExportFormat, range: ExportRange, now = Date.now()): Response {
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
      const text = buildReport({
        generatedAt: now,
        deployment,
        range,
        cluster,
        stats,
        statusCounts: reader.statusCounts(),
        senderCounts: reader.senderCounts(),
        receiverCounts: reader.receiverCounts(),
        latency: reader.latency(),
        lost: reader.reasons("lost"),
        failed: reader.reasons("failed"),
        seed: reader.seedReceptions(),
        span: reader.messageSpan(),
        nodeEvents: reader.events(["nodeup", "nodedown"], 10_000),
        activity: reader.events(["deploy", "traffic"], 10_000),
      });
      reader.close();
      return new Response(text, { status: 200, headers });
    }
    const pieces =
      format === "json"
        ? jsonPieces(reader, { generatedAt: now, deployment, runtime: cluster.runtime, range: rangeDTO(range), cluster, stats })
        : csvPieces(reader);
    return new Response(streamOf(pieces, () => reader.close()), { status: 200, headers });
  } catch (err) {
    reader.close();
    throw err;
  }
}

function rangeDTO(r: ExportRange): { since: number | null; until: number | null } {
  return { since: r.since ?? null, until: r.until ?? null };
}

function* csvPieces(reader: ExportReader): Generator<string> {
  yield csvRow([...CSV_COLUMNS]);
  for (const m of reader.iterateMessages()) yield messageCsvRow(m);
}

function* jsonPieces(reader: ExportReader, head: Record<string, unknown>): Generator<string> {
  const stored = tally(reader.statusCounts());
  const top = JSON.stringify({ ...head, stored, note: RECEIVED_LINE });
  yield `${top.slice(0, -1)},"events":[`;
  let first = true;
  for (const e of reader.iterateEvents()) {
    yield `${first ? "" : ","}\n${JSON.stringify(e)}`;
    first = false;
  }
  yield `],"messages":[`;
  first = true;
  for (const m of reader.iterateMessages()) {
    yield `${first ? "" : ","}\n${JSON.stringify(m)}`;
    first = false;
  }
  yield "]}\n";
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
    done();
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
      try {
        pieces.return(undefined);
      } finally {
        finish();
      }
    },
  });
}
