// Markdown helpers of the evidence report (export-report.ts): every outside value goes through
// them, so a node name or a message content cannot break a table or a line.

export function iso(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  return new Date(ms).toISOString();
}

/** A value safe inside a Markdown table cell: one line, no pipes, bounded length. */
export function mdCell(s: string, max = 80): string {
  const one = s.replace(/\r\n|\r|\n/g, " ⏎ ").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/`/g, "'");
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
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

/** A node's short name ("n1" of "n1-abc123@host"), cell-safe. */
export function shortName(name: string): string {
  return mdCell(name.split("@")[0]!.split("-")[0] || name, 40);
}
