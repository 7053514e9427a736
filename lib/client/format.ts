// Display helpers shared by the components.

import { shortNodeName } from "../node-name";

// Swarm replicas share one Erlang name and differ by address; their slot (from the cluster
// snapshot) gives them a readable short name wherever only the node name is at hand (timeline,
// events, links).
const slots = new Map<string, number>();

/** Called with every cluster snapshot: remembers each node's slot for shortName. */
export function rememberSlots(nodes: readonly { name: string; slot: number | null }[]): void {
  for (const n of nodes) if (n.slot != null) slots.set(n.name, n.slot);
  if (slots.size > 5000) for (const k of [...slots.keys()].slice(0, slots.size - 5000)) slots.delete(k);
}

/**
 * "n3-ab12cd@127.0.0.1" → "n3"; on Swarm "n-ab12cd@10.0.1.7" → "n3" (its slot, once known from
 * a cluster snapshot), else "n@10.0.1.7"; a seed-style "node_abc@host" → "node_abc".
 */
export function shortName(name: string): string {
  return shortNodeName(name, slots.get(name));
}

/** A node's short name from its own slot ("n3"); unique among the nodes of one snapshot. */
export function nodeLabel(node: { name: string; slot: number | null }): string {
  return shortNodeName(node.name, node.slot);
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

const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });

/** 123,456 → "123K", 1,234,567 → "1.23M"; below 100,000 the exact count, as `count`. */
export function compactCount(n: number): string {
  return Math.abs(n) < 100_000 ? count(n) : COMPACT.format(Math.round(n));
}

/** 1,234,567 (one formatter for all: toLocaleString builds one per call, a cost the profile showed per render). */
export function count(n: number): string {
  return COUNT.format(Math.round(n));
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
