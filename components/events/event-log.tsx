"use client";

import { clock, shortName } from "@/lib/client/format";
import { shortNodeName } from "@/lib/node-name";
import { useEvents } from "@/lib/client/events";
import { EmptyState } from "../ui/empty-state";
import { Panel } from "../ui/panel";

const kindStyle: Record<string, string> = {
  nodeup: "bg-emerald-400/15 text-emerald-300",
  nodedown: "bg-rose-500/15 text-rose-300",
  replica: "bg-sky-400/15 text-sky-300",
  deploy: "bg-violet-400/15 text-violet-300",
  bridge: "bg-amber-400/15 text-amber-300",
  traffic: "bg-cyan-400/15 text-cyan-300",
};

/** The last cluster events, newest first. */
export function EventLog({ onSelect }: { onSelect: (name: string) => void }) {
  const events = useEvents();
  return (
    <Panel title="Events" meta={events.length > 0 ? `${events.length}` : undefined} testId="event-log" className="min-h-[9rem] flex-1">
      {events.length === 0 ? (
        <EmptyState title="Quiet so far" hint="Nodes joining and leaving, replicas restarting and deploy steps show up here." />
      ) : (
        <ol className="absolute inset-0 overflow-y-auto py-1">
          {events.map((e) => (
            <li
              key={e.key}
              data-testid="event-row"
              data-kind={e.kind}
              className="grid animate-fade-in grid-cols-[4.6rem_auto_minmax(0,1fr)] items-baseline gap-2.5 border-b border-edge/50 px-4 py-1.5 text-[0.95rem]"
            >
              <span className="font-mono text-sm text-faint tabular-nums">{clock(e.at)}</span>
              <span className={`rounded-md px-1.5 text-xs font-bold tracking-wide uppercase ${kindStyle[e.kind] ?? "bg-slate-500/20 text-slate-300"}`}>
                {e.kind}
              </span>
              <span className="min-w-0 break-words text-ink/90">
                {e.node && (
                  <button type="button" onClick={() => onSelect(e.node!)} className="mr-1.5 cursor-pointer font-bold hover:text-accent" title={e.node}>
                    {shortName(e.node)}
                  </button>
                )}
                {e.node ? withoutName(e.text, e.node) : e.text}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}

/** "n3 joined" after the n3 button reads "n3 n3 joined": drop the repeated name. */
function withoutName(text: string, node: string): string {
  for (const name of [node, shortName(node), shortNodeName(node)]) {
    if (text.startsWith(`${name} `)) return text.slice(name.length + 1);
  }
  return text;
}
