// Markdown helpers of the evidence report (export-report.ts): every outside value goes through
// them, so a node name or a message content cannot break a table or a line, nor become markup.

export function iso(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  return new Date(ms).toISOString();
}

// Outside values (message content, node names, hosts, reasons, event texts) go through mdText
// (outside code spans) or mdCode (a whole code span). Both clip by code points, keep one line, and
// replace control and bidi characters, so a value can neither break a line or table, nor hide text.

const clean = (s: string) =>
  s
    .replace(/\r\n|\r|\n/g, " ⏎ ")
    .replace(/\t/g, " ")
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, "\ufffd");

function clip(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length > max ? `${cps.slice(0, max - 1).join("")}…` : s;
}

/**
 * Text outside code spans: every ASCII punctuation character backslash-escaped (CommonMark allows
 * it for all of them), so no content makes emphasis, a link, an image, an autolink (`http\://`,
 * `www\.`), raw HTML or an entity, or ends a table cell. Rendered, it reads as the original text.
 */
export function mdText(s: string, max = 80): string {
  return clean(clip(s, max)).replace(/[!-/:-@[-`{-~]/g, "\\$&");
}

/**
 * A whole code span (`name`), rendered literally. Its fence is longer than any backtick run in
 * it. In a table cell (the default) a pipe is escaped, and a backslash right before a pipe is
 * replaced (⧵), so the pipe cannot end the cell whichever way a renderer counts backslashes.
 */
export function mdCode(s: string, max = 80, inTable = true): string {
  let v = clean(clip(s, max));
  if (!v.trim()) return "—";
  if (inTable) v = v.replace(/\\(?=\|)/g, "⧵").replace(/\|/g, "\\|");
  const fence = "`".repeat(Math.max(0, ...(v.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = /^[` ]|[` ]$/.test(v) ? " " : "";
  return `${fence}${pad}${v}${pad}${fence}`;
}

export function ms(v: number | null): string {
  if (v == null) return "—";
  return `${v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(1)} ms`;
}

/** A count with thousands separators. */
export function num(v: number): string {
  return v.toLocaleString("en-US");
}

/** The first `max` times, and how many more. */
export function times(list: number[], max = 2): string {
  if (list.length === 0) return "—";
  const shown = list.slice(0, max).map(iso).join(", ");
  return list.length > max ? `${shown} (+${list.length - max} more)` : shown;
}

/** A node's short name ("n1" of "n1-abc123@host"), escaped. */
export function shortName(name: string): string {
  return mdText(name.split("@")[0]!.split("-")[0] || name, 40);
}
