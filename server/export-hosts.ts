import type { NodeCountsDTO, PairProgressDTO } from "../lib/contracts/http-replies";
import { mdCode, num as n } from "./export-markdown";

const UNKNOWN = "(host not known)";

/**
 * The evidence report's traffic by host pair (sender's host → receiver's host), when the nodes ran
 * on more than one host: where messages crossed machines, and what became of them there. Summed
 * from the stored books of each sender → receiver pair. A node the cluster no longer knows is
 * counted under "(host not known)".
 */
export function hostPairSection(pairs: PairProgressDTO[], hostOf: (node: string) => string | undefined): string[] {
  const host = (node: string) => hostOf(node) ?? UNKNOWN;
  const byHosts = new Map<string, { from: string; to: string; t: NodeCountsDTO }>();
  for (const p of pairs) {
    const [from, to] = [host(p.from), host(p.to)];
    const key = `${from}\u0000${to}`;
    const e = byHosts.get(key) ?? { from, to, t: { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 } };
    for (const k of ["sent", "received", "acked", "lost", "inFlight"] as const) e.t[k] += p[k];
    byHosts.set(key, e);
  }
  const known = new Set(pairs.flatMap((p) => [hostOf(p.from), hostOf(p.to)]).filter((h) => h !== undefined));
  if (known.size < 2) return [];
  const rows = [...byHosts.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const out = [
    "## Traffic by host pair",
    "",
    "Messages by the sender's host and the receiver's host, from the stored books of every pair (latency across hosts is half the acked round trip).",
    "",
    "| from host | to host | sent | received | lost | in flight | sent = received + lost + in flight |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  const cell = (h: string) => (h === UNKNOWN ? h : mdCode(h));
  for (const { from, to, t } of rows) {
    const across = from === to ? "" : " (across)";
    const holds = t.sent === t.received + t.lost + t.inFlight;
    out.push(`| ${cell(from)} | ${cell(to)}${across} | ${n(t.sent)} | ${n(t.received)} | ${n(t.lost)} | ${n(t.inFlight)} | ${holds ? "holds" : "**does not hold**"} |`);
  }
  out.push("");
  return out;
}
