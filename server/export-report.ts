import type { ClusterDTO, ClusterEventDTO, MessageStatus, NodeCountsDTO, StatsDTO } from "../lib/types";
import type { ExportRange, LatencyKind, LatencySummary, MessageGroup, ReasonCount, SeedReception } from "./store/export-reader";

// The evidence report: a one-page Markdown account of what the stored history shows. Pure: it
// gets numbers that came from SQL, and claims nothing those numbers do not show.

export const RECEIVED_LINE =
  'Every message counted as "received" here was reported by the node it was addressed to (its own `received` event, or its ack carrying its reception time); Swarmscope never counts a message as received because it was sent.';

/** Counts of the stored rows, with the same meaning as /api/stats. */
export interface Tally extends NodeCountsDTO {
  failed: number;
  pending: number;
  seedReceived: number;
  rows: number;
}

export function emptyTally(): Tally {
  return { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0, pending: 0, seedReceived: 0, rows: 0 };
}

/** Adds `n` rows of one status to a tally: sent counts everything that left a sender. */
export function addToTally(t: Tally, status: MessageStatus, n: number, seed = false): Tally {
  t.rows += n;
  switch (status) {
    case "pending":
      t.pending += n;
      break;
    case "failed":
      t.failed += n;
      break;
    case "sent":
      t.sent += n;
      t.inFlight += n;
      break;
    case "lost":
      t.sent += n;
      t.lost += n;
      break;
    case "acked":
      t.acked += n;
    // falls through: an acked message was received
    case "received":
      t.sent += n;
      t.received += n;
      if (seed) t.seedReceived += n;
      break;
  }
  return t;
}

type Counted = Pick<MessageGroup, "status" | "seed" | "n">;

export function tally(groups: Counted[]): Tally {
  const t = emptyTally();
  for (const g of groups) addToTally(t, g.status, g.n, g.seed);
  return t;
}

/** Per sending node. */
export function tallyBySender(groups: MessageGroup[]): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const g of groups) {
    let t = out.get(g.from);
    if (!t) out.set(g.from, (t = emptyTally()));
    addToTally(t, g.status, g.n, g.seed);
  }
  return out;
}

/** Messages received, per receiving node. */
export function receivedBy(groups: MessageGroup[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups) if (g.status === "received" || g.status === "acked") out.set(g.to, (out.get(g.to) ?? 0) + g.n);
  return out;
}

export function span(groups: MessageGroup[]): { first: number | null; last: number | null } {
  if (groups.length === 0) return { first: null, last: null };
  return { first: Math.min(...groups.map((g) => g.first)), last: Math.max(...groups.map((g) => g.last)) };
}

export function invariantHolds(c: NodeCountsDTO): boolean {
  return c.sent === c.received + c.lost + c.inFlight;
}

export interface ReportInput {
  generatedAt: number;
  deployment: string;
  range: ExportRange;
  cluster: ClusterDTO;
  /** The live counters (/api/stats) taken in the same instant as the stored snapshot. */
  stats: StatsDTO;
  /** The stored messages by sender, receiver, status and kind. */
  groups: MessageGroup[];
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

function n(v: number): string {
  return v.toLocaleString("en-US");
}

const COUNTER_KEYS = ["sent", "received", "acked", "lost", "inFlight"] as const;

function describeRange(r: ExportRange): string {
  if (r.since === undefined && r.until === undefined) return "the whole history kept";
  return `messages created and events recorded from ${r.since === undefined ? "the start of the history kept" : iso(r.since)} to ${r.until === undefined ? "now" : iso(r.until)}`;
}

function downReason(text: string): string {
  const m = /\((.*)\)\s*$/.exec(text);
  return m ? m[1]! : text;
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

function times(list: number[], max = 2): string {
  if (list.length === 0) return "—";
  const shown = list.slice(0, max).map(iso).join(", ");
  return list.length > max ? `${shown} (+${list.length - max} more)` : shown;
}

/** The one-page Markdown evidence report. */
export function buildReport(r: ReportInput): string {
  const t = tally(r.groups);
  const bySender = tallyBySender(r.groups);
  const when = span(r.groups);
  const lives = nodeLives(r.cluster, r.nodeEvents);
  const known = new Set([...lives.map((l) => l.name), ...r.cluster.nodes.map((x) => x.name)]);
  const hosts = [...new Set(lives.map((l) => l.host))].sort();
  const whole = r.range.since === undefined && r.range.until === undefined;
  const out: string[] = [];
  const line = (s = "") => out.push(s);

  line(`# Swarmscope evidence report — deployment \`${r.deployment}\``);
  line();
  line(`Generated ${iso(r.generatedAt)} from the dashboard's stored history (${describeRange(r.range)}).`);
  line(`Messages in it: ${n(t.rows)}${when.first !== null ? `, created ${iso(when.first)} to ${iso(when.last)}` : ""}.`);
  line();
  line(`**${RECEIVED_LINE}**`);
  line();

  line("## What was deployed, where");
  line();
  line(
    `Runtime **${r.cluster.runtime}**, deployment id \`${r.deployment}\`, ${r.cluster.desiredReplicas} replica(s) desired now, ` +
      `bridge ${r.cluster.bridge.status}${r.cluster.bridge.node ? ` (\`${mdCell(r.cluster.bridge.node)}\`)` : ""}. ` +
      `Hosts: ${hosts.length ? hosts.map((h) => `\`${mdCell(h)}\``).join(", ") : "none seen"}.`,
  );
  line();
  if (lives.length === 0) {
    line("No Erlang node joined in this range.");
  } else {
    line("| node | host | now | joined (nodeup seen by the bridge) | left (nodedown, reason) |");
    line("| --- | --- | --- | --- | --- |");
    for (const l of lives.slice(0, 64)) {
      const left = l.leaves.length ? `${times(l.leaves.map((x) => x.at))}; ${mdCell(l.leaves[l.leaves.length - 1]!.reason, 40)}` : "—";
      line(`| \`${mdCell(l.name)}\` | ${mdCell(l.host)} | ${l.now} | ${times(l.joins)} | ${left} |`);
    }
    if (lives.length > 64) line(`| … ${lives.length - 64} more nodes | | | | |`);
  }
  if (r.activity.length) {
    line();
    line("Deploys and traffic runs (last 8):");
    for (const e of r.activity.slice(-8)) line(`- ${iso(e.at)} ${mdCell(e.text, 120)}`);
  }
  line();

  line("## What was sent, and what arrived");
  line();
  line("| status | messages | meaning |");
  line("| --- | ---: | --- |");
  line(`| sent | ${n(t.sent)} | seen leaving the sender (or seen arriving, which proves it left) |`);
  line(`| received | ${n(t.received)} | reported by the receiving node (${n(t.acked)} of them also acked back at the sender) |`);
  line(`| lost | ${n(t.lost)} | sent, never reported received (reasons below) |`);
  line(`| in flight | ${n(t.inFlight)} | sent, no verdict yet |`);
  line(`| failed | ${n(t.failed)} | asked for, never left the sender (not counted as sent) |`);
  if (t.pending) line(`| pending | ${n(t.pending)} | asked for, the sender has not answered yet (not counted as sent) |`);
  line();
  const holds = invariantHolds(t);
  line(
    `Check: sent = received + lost + in flight: ${n(t.sent)} = ${n(t.received)} + ${n(t.lost)} + ${n(t.inFlight)} — ` +
      (holds ? "**holds**." : `**DOES NOT HOLD** (off by ${n(t.sent - t.received - t.lost - t.inFlight)}).`),
  );
  const badSenders = [...bySender].filter(([, c]) => !invariantHolds(c)).map(([name]) => name);
  line(`Per sender: ${badSenders.length === 0 ? `holds for all ${bySender.size}` : `does NOT hold for ${badSenders.map((x) => `\`${mdCell(x)}\``).join(", ")}`}.`);
  if (whole) {
    const diffs: string[] = [...COUNTER_KEYS, "failed" as const].filter((k) => r.stats[k] !== t[k]);
    line(
      diffs.length === 0
        ? `The live counters (/api/stats) at the same instant agree: sent ${n(r.stats.sent)}, received ${n(r.stats.received)}, acked ${n(r.stats.acked)}, lost ${n(r.stats.lost)}, in flight ${n(r.stats.inFlight)}, failed ${n(r.stats.failed)}.`
        : `**The live counters (/api/stats) at the same instant disagree with the stored rows** on ${diffs.join(", ")}: ` +
            `live sent ${n(r.stats.sent)}, received ${n(r.stats.received)}, acked ${n(r.stats.acked)}, lost ${n(r.stats.lost)}, in flight ${n(r.stats.inFlight)}, failed ${n(r.stats.failed)}. ` +
            `(Rows older than the retention limit are deleted while the counters keep them; any other difference is a fault.)`,
    );
    const nodeDiffs = perNodeDiffs(r.stats.perNode, bySender);
    if (nodeDiffs.length > 0) {
      line(
        `**Per node, the live counters disagree with the stored rows** for ${nodeDiffs.length} node(s): ` +
          nodeDiffs
            .slice(0, 5)
            .map((d) => `\`${mdCell(d.node, 40)}\` ${d.key} live ${n(d.live)} / stored ${n(d.stored)}`)
            .join("; ") +
          (nodeDiffs.length > 5 ? "; …" : "") +
          ".",
      );
    }
  } else {
    line(`(Range export: the live counters cover the whole history and are not compared.)`);
  }
  line();
  if (bySender.size > 0) {
    const inbound = receivedBy(r.groups);
    line("| node | sent | received (of its sends) | lost | in flight | failed | received by it |");
    line("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    const names = [...new Set([...bySender.keys(), ...inbound.keys()])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    for (const name of names.slice(0, 40)) {
      const c = bySender.get(name) ?? emptyTally();
      line(`| \`${mdCell(name)}\` | ${n(c.sent)} | ${n(c.received)} | ${n(c.lost)} | ${n(c.inFlight)} | ${n(c.failed)} | ${n(inbound.get(name) ?? 0)} |`);
    }
    if (names.length > 40) line(`| … ${names.length - 40} more | | | | | | |`);
    line();
  }

  line("## Latency");
  line();
  const timed = r.latency.filter((l) => l.summary.count > 0);
  if (timed.length === 0) line("No received message has a measured latency in this range.");
  for (const { kind, summary: l } of timed) {
    const what =
      kind === "one-way"
        ? "one way, sender and receiver on the same host (the receiver's clock at reception minus the sender's clock at sending)"
        : kind === "half-rtt"
          ? "half the acked round trip, sender and receiver on different hosts (the sender's clock only, so no clock offset)"
          : "of a kind the stored times do not show";
    line(`- ${n(l.count)} received message(s), latency ${what}: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}.`);
  }
  line();

  line("## Losses and failures");
  line();
  if (r.lost.length === 0 && r.failed.length === 0) line("None: no message was reported lost, and none failed to leave its sender.");
  for (const [title, groups] of [
    ["Lost (sent, never reported received)", r.lost],
    ["Failed (never left the sender)", r.failed],
  ] as const) {
    if (groups.length === 0) continue;
    line(`${title}:`);
    line();
    for (const g of groups.slice(0, 10)) {
      const ex = g.examples.map((e) => `\`${mdCell(e.id, 40)}\` ${shortName(e.from)} → ${shortName(e.to)} at ${iso(e.sentAt ?? e.createdAt)}`).join("; ");
      line(`- ${n(g.n)} × ${mdCell(g.reason, 100)} — e.g. ${ex}`);
    }
    if (groups.length > 10) line(`- … and ${groups.length - 10} other reasons`);
    line();
  }

  line("## Seed-protocol receptions");
  line();
  if (r.seed.length === 0) {
    line("None: no node reported a plain `{send, From, Content}` message.");
  } else {
    const strangers = r.seed.filter((s) => !known.has(s.from));
    line(
      `${n(t.seedReceived)} plain \`{send, From, Content}\` message(s) reported by their receivers; ` +
        `${n(strangers.reduce((a, s) => a + s.n, 0))} from senders that are not nodes of this deployment.`,
    );
    line();
    line("| from | to | messages | first | last | example content |");
    line("| --- | --- | ---: | --- | --- | --- |");
    for (const s of r.seed.slice(0, 20)) {
      line(`| \`${mdCell(s.from, 60)}\`${known.has(s.from) ? "" : " (stranger)"} | \`${mdCell(s.to)}\` | ${n(s.n)} | ${iso(s.first)} | ${iso(s.last)} | ${mdCell(s.example, 40)} |`);
    }
  }
  line();
  return out.join("\n");
}

/** Where the live per-node counters and the stored rows differ (first differing counter per node). */
export function perNodeDiffs(live: Record<string, NodeCountsDTO>, stored: Map<string, Tally>): { node: string; key: string; live: number; stored: number }[] {
  const out: { node: string; key: string; live: number; stored: number }[] = [];
  const names = [...new Set([...Object.keys(live), ...stored.keys()])].sort();
  for (const node of names) {
    const a = live[node];
    const b = stored.get(node);
    for (const key of COUNTER_KEYS) {
      const lv = a?.[key] ?? 0;
      const sv = b?.[key] ?? 0;
      if (lv !== sv) {
        out.push({ node, key, live: lv, stored: sv });
        break;
      }
    }
  }
  return out;
}

function shortName(name: string): string {
  return mdCell(name.split("@")[0]!.split("-")[0] || name, 40);
}
