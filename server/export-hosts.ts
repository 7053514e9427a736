import { mdCode, num as n } from "./export-markdown";
import { addToTally, emptyTally, invariantHolds, type Tally } from "./export-tally";
import type { MessageGroup } from "./store/export-reader";

const UNKNOWN = "(host not known)";

/**
 * The evidence report's traffic by host pair (sender's host → receiver's host), when the nodes ran
 * on more than one host: where messages crossed machines, and what became of them there. A node
 * the cluster no longer knows is counted under "(host not known)".
 */
export function hostPairSection(groups: MessageGroup[], hostOf: (node: string) => string | undefined): string[] {
  const host = (node: string) => hostOf(node) ?? UNKNOWN;
  const pairs = new Map<string, { from: string; to: string; t: Tally }>();
  for (const g of groups) {
    const from = host(g.from);
    const to = host(g.to);
    const key = `${from}\u0000${to}`;
    const p = pairs.get(key) ?? { from, to, t: emptyTally() };
    addToTally(p.t, g.status, g.n, g.seed);
    pairs.set(key, p);
  }
  const known = new Set(groups.flatMap((g) => [hostOf(g.from), hostOf(g.to)]).filter((h) => h !== undefined));
  if (known.size < 2) return [];
  const rows = [...pairs.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const out = [
    "## Traffic by host pair",
    "",
    "Messages by the sender's host and the receiver's host (latency across hosts is half the acked round trip).",
    "",
    "| from host | to host | sent | received | lost | in flight | failed | sent = received + lost + in flight |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  const cell = (h: string) => (h === UNKNOWN ? h : mdCode(h));
  for (const { from, to, t } of rows) {
    const across = from === to ? "" : " (across)";
    out.push(
      `| ${cell(from)} | ${cell(to)}${across} | ${n(t.sent)} | ${n(t.received)} | ${n(t.lost)} | ${n(t.inFlight)} | ${n(t.failed)} | ${invariantHolds(t) ? "holds" : "**does not hold**"} |`,
    );
  }
  out.push("");
  return out;
}
