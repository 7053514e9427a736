// Display helpers shared by the components.

/** "n3-ab12cd@127.0.0.1" → "n3"; a seed-style "node_abc@host" → "node_abc". */
export function shortName(name: string): string {
  if (name === "*") return "all";
  const local = name.split("@")[0] ?? name;
  return local.split("-")[0] || local;
}

/** The part after "@": the node's host. */
export function nodeHost(name: string): string {
  return name.split("@")[1] ?? "";
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** 14:03:27.415 in local time. */
export function clockMs(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** 14:03:27 in local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 1,234,567 */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** 0.042 → "42 µs", 3.4 → "3.4 ms", 1530 → "1.53 s". */
export function latency(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "—";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** 4 → "4 s", 75 → "1 m 15 s", 4000 → "1 h 6 m"; precise: 3.42 → "3.4 s". */
export function duration(seconds: number, precise = false): string {
  if (precise && seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
}

/** "12 s ago" from a ms epoch. */
export function ago(ms: number, now = Date.now()): string {
  return `${duration((now - ms) / 1000)} ago`;
}

/** Rate with one decimal under 10, whole numbers above. */
export function rate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1) : count(perSecond);
}
