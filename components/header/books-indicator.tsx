"use client";

import { count, shortName } from "@/lib/client/format";
import type { ReconciledDTO } from "@/lib/contracts/http-replies";
import { StatusPill } from "../ui/status-pill";

/** "What the dashboard counts is what the nodes counted": green when every pair matches, red naming the first mismatch. */
export function BooksIndicator({ reconciled }: { reconciled: ReconciledDTO | undefined }) {
  if (!reconciled || reconciled.nodes === 0) {
    return <StatusPill testId="books-status" status="idle" tone="idle" label="Books" value="—" title="No node's own counters compared yet" />;
  }
  if (reconciled.ok) {
    return (
      <StatusPill
        testId="books-status"
        status="balanced"
        tone="good"
        label="Books"
        value="balanced"
        title={`At each node's latest stats, ${count(reconciled.pairs)} pair(s) of ${count(reconciled.nodes)} node(s) matched the nodes' own counters`}
      />
    );
  }
  const m = reconciled.mismatches[0]!;
  const what = `${shortName(m.from)} → ${m.to === "*" ? "*" : shortName(m.to)} ${m.field}: dashboard ${count(m.dashboard)}, node ${count(m.node)}`;
  return (
    <StatusPill
      testId="books-status"
      status="mismatch"
      tone="bad"
      label="Books off"
      value={what}
      title={reconciled.mismatches.map((x) => `${x.from} → ${x.to} ${x.field}: dashboard ${x.dashboard}, node ${x.node}`).join("\n")}
    />
  );
}
