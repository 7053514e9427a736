"use client";

import { count, shortName } from "@/lib/client/format";
import type { StatsDTO } from "@/lib/contracts/http-replies";
import { StatusPill } from "../ui/status-pill";

/**
 * "What the dashboard counts is what the nodes counted": green when every pair matches, red naming
 * the first mismatch; amber while the store refuses writes (the nodes keep their reports meanwhile).
 */
export function BooksIndicator({ stats }: { stats: StatsDTO | undefined }) {
  const reconciled = stats?.reconciled;
  const store = stats?.store;
  if (store && !store.ok) {
    return (
      <StatusPill
        testId="books-status"
        status="store-failing"
        tone="warn"
        label="Store"
        value={`not writing (${count(store.waiting)} waiting)`}
        title={`The database refuses writes since ${new Date(store.since).toLocaleTimeString()}: ${store.lastError ?? "?"}. Nothing is lost: the nodes keep their reports until a write works.`}
      />
    );
  }
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
