import type { ClusterDTO, ClusterEventDTO, PairProgressDTO, StatsDTO } from "../lib/contracts/http-replies";
import { hostPairSection } from "./export-hosts";
import { iso, mdCode, mdText, ms, num as n, shortName, times } from "./export-markdown";
import { COUNTER_KEYS, emptyTally, invariantHolds, perNodeDiffs, type Tally } from "./export-tally";
import type { ExportBooks, ExportRange, LatencyKind, LatencySummary, ReasonCount, SeedReception } from "./store/export-reader";

// The evidence report: a one-page Markdown account of what the stored history shows. Pure: it
// gets numbers that came from the store (the books' counters and runs), and claims nothing those
// numbers do not show. One function per section; the Markdown escaping is export-markdown.ts.

export const RECEIVED_LINE =
  'Every message counted as "received" here was reported by the node it was addressed to (its own `received` event, or its ack carrying its reception time); Swarmscope never counts a message as received because it was sent.';

export interface ReportInput {
  generatedAt: number;
  deployment: string;
  range: ExportRange;
  cluster: ClusterDTO;
  /** The live counters (/api/stats) taken in the same instant as the stored snapshot. */
  stats: StatsDTO;
  /** The stored books: counts as /api/stats counts them, per sender, received per receiver. */
  books: ExportBooks;
  /** Each sender → receiver pair's stored books (for the traffic by host pair). */
  pairs: PairProgressDTO[];
  /** Stored latencies by kind (only kinds that occur). */
  latency: { kind: LatencyKind | "unknown"; summary: LatencySummary }[];
  lost: ReasonCount[];
  failed: ReasonCount[];
  seed: SeedReception[];
  /** nodeup / nodedown events, oldest first. */
  nodeEvents: ClusterEventDTO[];
  /** deploy and traffic events, oldest first. */
  activity: ClusterEventDTO[];
}

interface NodeLife {
  name: string;
  host: string;
  now: string;
  joins: number[];
  leaves: { at: number; reason: string }[];
}

/** What each node did, from the events table (plus the nodes the cluster knows now). */
export function nodeLives(cluster: ClusterDTO, nodeEvents: ClusterEventDTO[]): NodeLife[] {
  const lives = new Map<string, NodeLife>();
  const life = (name: string) => {
    let l = lives.get(name);
    if (!l) {
      const current = cluster.nodes.find((x) => x.name === name);
      l = { name, host: current?.host ?? name.split("@")[1] ?? "?", now: current?.status ?? "gone", joins: [], leaves: [] };
      lives.set(name, l);
    }
    return l;
  };
  for (const e of nodeEvents) {
    if (!e.node) continue;
    if (e.kind === "nodeup") life(e.node).joins.push(e.at);
    else if (e.kind === "nodedown") life(e.node).leaves.push({ at: e.at, reason: downReason(e.text) });
  }
  for (const x of cluster.nodes) if (!x.name.includes("(")) life(x.name);
  return [...lives.values()].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
}

function downReason(text: string): string {
  const m = /\((.*)\)\s*$/.exec(text);
  return m ? m[1]! : text;
}

function describeRange(r: ExportRange): string {
  if (r.since === undefined && r.until === undefined) return "the whole history kept";
  return `messages created and events recorded from ${r.since === undefined ? "the start of the history kept" : iso(r.since)} to ${r.until === undefined ? "now" : iso(r.until)}`;
}

/** What the sections share: the input and the counts made from it once. */
interface Facts {
  r: ReportInput;
  t: Tally;
  bySender: Map<string, Tally>;
  lives: NodeLife[];
}

/** The one-page Markdown evidence report. */
export function buildReport(r: ReportInput): string {
  const f: Facts = { r, t: r.books.tally, bySender: r.books.bySender, lives: nodeLives(r.cluster, r.nodeEvents) };
  const hostOf = (node: string) => r.cluster.nodes.find((x) => x.name === node)?.host;
  return [...header(f), ...deployed(f), ...counts(f), ...reconciled(f), ...hostPairSection(r.pairs, hostOf), ...latency(f), ...losses(f), ...seedReceptions(f)].join("\n");
}

function header({ r, t }: Facts): string[] {
  const when = r.books.span;
  return [
    `# Swarmscope evidence report — deployment ${mdCode(r.deployment, 40, false)}`,
    "",
    `Generated ${iso(r.generatedAt)} from the dashboard's stored history (${describeRange(r.range)}).`,
    `Messages in it: ${n(t.sent)} sent (${n(t.rows)} stored one by one: sent by hand or seed; the rest in runs)${when.first !== null ? `, from ${iso(when.first)} to ${iso(when.last)}` : ""}.`,
    "",
    `**${RECEIVED_LINE}**`,
    "",
  ];
}

function deployed({ r, lives }: Facts): string[] {
  const hosts = [...new Set(lives.map((l) => l.host))].sort();
  const out = [
    "## What was deployed, where",
    "",
    `Runtime **${r.cluster.runtime}**, deployment id ${mdCode(r.deployment, 40, false)}, ${r.cluster.desiredReplicas} replica(s) desired now, ` +
      `bridge ${r.cluster.bridge.status}${r.cluster.bridge.node ? ` (${mdCode(r.cluster.bridge.node, 80, false)})` : ""}. ` +
      `Hosts: ${hosts.length ? hosts.map((h) => mdCode(h, 80, false)).join(", ") : "none seen"}.`,
    "",
  ];
  if (lives.length === 0) {
    out.push("No Erlang node joined in this range.");
  } else {
    out.push("| node | host | now | joined (nodeup seen by the bridge) | left (nodedown, reason) |", "| --- | --- | --- | --- | --- |");
    for (const l of lives.slice(0, 64)) {
      const left = l.leaves.length ? `${times(l.leaves.map((x) => x.at))}; ${mdText(l.leaves[l.leaves.length - 1]!.reason, 40)}` : "—";
      out.push(`| ${mdCode(l.name)} | ${mdCode(l.host)} | ${l.now} | ${times(l.joins)} | ${left} |`);
    }
    if (lives.length > 64) out.push(`| … ${lives.length - 64} more nodes | | | | |`);
  }
  if (r.activity.length) {
    out.push("", "Deploys and traffic runs (last 8):");
    for (const e of r.activity.slice(-8)) out.push(`- ${iso(e.at)} ${mdText(e.text, 120)}`);
  }
  out.push("");
  return out;
}

function counts(f: Facts): string[] {
  const { t, bySender } = f;
  const out = [
    "## What was sent, and what arrived",
    "",
    "| status | messages | meaning |",
    "| --- | ---: | --- |",
    `| sent | ${n(t.sent)} | seen leaving the sender (or seen arriving, which proves it left) |`,
    `| received | ${n(t.received)} | reported by the receiving node (${n(t.acked)} of them also acked back at the sender) |`,
    `| lost | ${n(t.lost)} | sent, never reported received (reasons below) |`,
    `| in flight | ${n(t.inFlight)} | sent, no verdict yet |`,
    `| failed | ${n(t.failed)} | asked for, never left the sender (not counted as sent) |`,
  ];
  if (t.pending) out.push(`| pending | ${n(t.pending)} | asked for, the sender has not answered yet (not counted as sent) |`);
  out.push(
    "",
    `Check: sent = received + lost + in flight: ${n(t.sent)} = ${n(t.received)} + ${n(t.lost)} + ${n(t.inFlight)} — ` +
      (invariantHolds(t) ? "**holds**." : `**DOES NOT HOLD** (off by ${n(t.sent - t.received - t.lost - t.inFlight)}).`),
  );
  const badSenders = [...bySender].filter(([, c]) => !invariantHolds(c)).map(([name]) => name);
  out.push(`Per sender: ${badSenders.length === 0 ? `holds for all ${bySender.size}` : `does NOT hold for ${badSenders.map((x) => mdCode(x, 80, false)).join(", ")}`}.`);
  out.push(...liveComparison(f), "", ...perNodeTable(f));
  return out;
}

/** The stored rows against the live counters; only for the whole history (a range is a part of it). */
function liveComparison({ r, t, bySender }: Facts): string[] {
  if (r.range.since !== undefined || r.range.until !== undefined) return [`(Range export: the live counters cover the whole history and are not compared.)`];
  const s = r.stats;
  const live = `sent ${n(s.sent)}, received ${n(s.received)}, acked ${n(s.acked)}, lost ${n(s.lost)}, in flight ${n(s.inFlight)}, failed ${n(s.failed)}`;
  const diffs: string[] = [...COUNTER_KEYS, "failed" as const].filter((k) => s[k] !== t[k]);
  const out = [
    diffs.length === 0
      ? `The live counters (/api/stats) at the same instant agree: ${live}.`
      : `**The live counters (/api/stats) at the same instant disagree with the stored books** on ${diffs.join(", ")}: live ${live}. ` +
        `(The store is behind while it refuses writes; any other difference is a fault.)`,
  ];
  const nodeDiffs = perNodeDiffs(s.perNode, bySender);
  if (nodeDiffs.length > 0) {
    const shown = nodeDiffs.slice(0, 5).map((d) => `${mdCode(d.node, 40, false)} ${d.key} live ${n(d.live)} / stored ${n(d.stored)}`);
    out.push(`**Per node, the live counters disagree with the stored books** for ${nodeDiffs.length} node(s): ${shown.join("; ")}${nodeDiffs.length > 5 ? "; …" : ""}.`);
  }
  return out;
}

function perNodeTable({ r, bySender }: Facts): string[] {
  if (bySender.size === 0) return [];
  const inbound = r.books.inbound;
  const out = ["| node | sent | received (of its sends) | lost | in flight | failed | received by it |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"];
  const names = [...new Set([...bySender.keys(), ...inbound.keys()])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  for (const name of names.slice(0, 40)) {
    const c = bySender.get(name) ?? emptyTally();
    out.push(`| ${mdCode(name)} | ${n(c.sent)} | ${n(c.received)} | ${n(c.lost)} | ${n(c.inFlight)} | ${n(c.failed)} | ${n(inbound.get(name) ?? 0)} |`);
  }
  if (names.length > 40) out.push(`| … ${names.length - 40} more | | | | | | |`);
  out.push("");
  return out;
}

/** What the nodes' own counters said when the dashboard last compared them. */
function reconciled({ r }: Facts): string[] {
  const c = r.stats.reconciled;
  const out = ["## The books against the nodes' own counters", ""];
  if (c.nodes === 0) out.push("No node's counters were compared (no node up, or none has sent its stats yet).");
  else if (c.ok) out.push(`Balanced: at each node's latest stats, ${n(c.pairs)} pair(s) of ${n(c.nodes)} node(s) matched what the nodes themselves counted (sent, failed and acked per receiver; received per sender incarnation).`);
  else {
    out.push(`**${n(c.mismatches.length)} difference(s)** between the dashboard's books and the nodes' own counters (${n(c.pairs)} pair(s) of ${n(c.nodes)} node(s) compared):`, "");
    for (const m of c.mismatches.slice(0, 10)) out.push(`- ${shortName(m.from)} → ${m.to === "*" ? "*" : shortName(m.to)} ${m.field}: dashboard ${n(m.dashboard)}, node ${n(m.node)}`);
  }
  out.push("");
  return out;
}

const LATENCY_MEANING: Record<LatencyKind | "unknown", string> = {
  "one-way": "one way, sender and receiver on the same host (the receiver's clock at reception minus the sender's clock at sending)",
  "half-rtt": "half the acked round trip, sender and receiver on different hosts (the sender's clock only, so no clock offset)",
  unknown: "of a kind the stored times do not show",
};

function latency({ r }: Facts): string[] {
  const out = ["## Latency", ""];
  const timed = r.latency.filter((l) => l.summary.count > 0);
  if (timed.length === 0) out.push("No received message has a measured latency in this range.");
  for (const { kind, summary: l } of timed) {
    out.push(`- ${n(l.count)} received message(s), latency ${LATENCY_MEANING[kind]}: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}.`);
  }
  out.push("");
  return out;
}

function losses({ r }: Facts): string[] {
  const out = ["## Losses and failures", ""];
  if (r.lost.length === 0 && r.failed.length === 0) out.push("None: no message was reported lost, and none failed to leave its sender.");
  for (const [title, groups] of [
    ["Lost (sent, never reported received)", r.lost],
    ["Failed (never left the sender)", r.failed],
  ] as const) {
    if (groups.length === 0) continue;
    out.push(`${title}:`, "");
    for (const g of groups.slice(0, 10)) {
      const ex = g.examples.map((e) => `${mdCode(e.id, 40, false)} ${shortName(e.from)} → ${shortName(e.to)} at ${iso(e.sentAt ?? e.createdAt)}`).join("; ");
      out.push(`- ${n(g.n)} × ${mdText(g.reason, 100)} — e.g. ${ex}`);
    }
    if (groups.length > 10) out.push(`- … and ${groups.length - 10} other reasons`);
    out.push("");
  }
  return out;
}

function seedReceptions({ r, t, lives }: Facts): string[] {
  const out = ["## Seed-protocol receptions", ""];
  if (r.seed.length === 0) {
    out.push("None: no node reported a plain `{send, From, Content}` message.", "");
    return out;
  }
  const known = new Set([...lives.map((l) => l.name), ...r.cluster.nodes.map((x) => x.name)]);
  const strangers = r.seed.filter((s) => !known.has(s.from));
  out.push(
    `${n(t.seedReceived)} plain \`{send, From, Content}\` message(s) reported by their receivers; ` +
      `${n(strangers.reduce((a, s) => a + s.n, 0))} from senders that are not nodes of this deployment.`,
    "",
    "| from | to | messages | first | last | example content |",
    "| --- | --- | ---: | --- | --- | --- |",
  );
  for (const s of r.seed.slice(0, 20)) {
    out.push(`| ${mdCode(s.from, 60)}${known.has(s.from) ? "" : " (stranger)"} | ${mdCode(s.to)} | ${n(s.n)} | ${iso(s.first)} | ${iso(s.last)} | ${mdText(s.example, 40)} |`);
  }
  out.push("");
  return out;
}
