"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { setUi, useUi } from "@/lib/client/ui-state";
import { count, shortName } from "@/lib/client/format";
import { messageStore, useMessages } from "@/lib/client/message-store";
import { useAnyPairRuns } from "@/lib/client/pair-runs";
import type { MessageStatus } from "@/lib/contracts/common";
import type { MessageDTO, NodeDTO } from "@/lib/contracts/http-replies";
import { EmptyState } from "../ui/empty-state";
import { Select } from "../ui/field";
import { Panel } from "../ui/panel";
import { useRootPx } from "../ui/use-root-px";
import { PairRunsStrip } from "./pair-runs";
import { CONTENT_CELL, GRID, ROW_HEIGHT, TIME_CELL, TimelineRow } from "./timeline-row";

const STATUSES: MessageStatus[] = ["pending", "sent", "received", "acked", "lost", "failed"];
const FRESH_MS = 1500;

interface MessageTimelineProps {
  nodes: NodeDTO[];
  /** The presenter view: taller rows in larger type, no filters. */
  large?: boolean;
}

/** Newest first, virtualized; rows update in place as messages move sent → received → acked. */
export function MessageTimeline({ nodes, large = false }: MessageTimelineProps) {
  const all = useMessages();
  const runsShown = useAnyPairRuns(); // not the runs themselves: they change a few times a second under a storm
  const [node, setNode] = useState("");
  const [status, setStatus] = useState<MessageStatus | "">("");
  const { frozen } = useUi();
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowHeight = useRowHeight(large);

  const filtered = useMemo(
    () => (!node && !status ? all : all.filter((m) => (!node || m.from === node || m.to === node) && (!status || m.status === status))),
    [all, node, status],
  );
  const rows = useMemo(() => (frozen ? filtered.filter((m) => frozen.has(m.id)) : filtered), [filtered, frozen]);
  const waiting = filtered.length - rows.length;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 6,
    getItemKey: (i) => rows[i]?.id ?? i,
  });

  const pause = () => setUi({ frozen: new Set(all.map((m) => m.id)) });
  const follow = () => setUi({ frozen: null });
  // Following again (the button or P): back to the newest.
  const following = frozen === null;
  useEffect(() => {
    if (following) virtualizer.scrollToOffset(0);
  }, [following, virtualizer]);

  // Sorted again only when the names change, not on each cluster view (200 nodes: every link change).
  const namesKey = nodes.map((n) => n.name).join("\n");
  const nodeNames = useMemo(() => {
    const names = namesKey ? namesKey.split("\n") : [];
    if (node && !names.includes(node)) names.push(node); // keep a filter on a node that left
    return byShortName(names);
  }, [namesKey, node]);
  const now = Date.now();
  // Under a storm every row is new on every render: the highlight would only repaint the list.
  const highlight = !messageStore.busy;
  const items = virtualizer.getVirtualItems();

  return (
    <Panel
      testId="timeline"
      title="Messages"
      meta={
        <span>
          {count(rows.length)}
          {rows.length !== all.length && ` of ${count(all.length)}`}
          {messageStore.dropped > 0 && <span className="text-amber-300"> · {count(messageStore.dropped)} not streamed</span>}
        </span>
      }
      actions={
        <>
          {!large && (
            <>
              <Select value={node} onChange={(e) => setNode(e.target.value)} compact className="w-28 2xl:w-36" data-testid="timeline-filter-node" aria-label="Filter by node">
                <option value="">All nodes</option>
                {nodeNames.map((n) => (
                  <option key={n} value={n}>
                    {shortName(n)}
                  </option>
                ))}
              </Select>
              <Select
                value={status}
                onChange={(e) => setStatus(e.target.value as MessageStatus | "")}
                compact
                className="w-32 2xl:w-36"
                data-testid="timeline-filter-status"
                aria-label="Filter by status"
              >
                <option value="">All statuses</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            </>
          )}
          <FollowToggle live={!frozen} waiting={waiting} onFollow={follow} onPause={pause} />
        </>
      }
      className={`@container h-full ${large ? "timeline-large" : ""}`}
      bodyClassName="flex flex-col"
    >
      <PairRunsStrip />
      <div className={`${GRID} h-[2.25rem] shrink-0 border-b border-edge text-xs font-semibold tracking-wider text-faint uppercase`}>
        <span className={TIME_CELL}>Time</span>
        <span>From → To</span>
        <span className={CONTENT_CELL}>Content</span>
        <span className="text-center">Status</span>
        <span className="text-right">Latency</span>
      </div>
      <div
        ref={scrollRef}
        // Contained: the rows replaced several times a second under load lay out and paint only in here.
        className="relative min-h-0 flex-1 overflow-y-auto [contain:strict]"
        onScroll={(e) => {
          if (!frozen && e.currentTarget.scrollTop > rowHeight * 2) pause();
        }}
      >
        {rows.length === 0 ? (
          <EmptyState
            title={all.length > 0 ? "No message matches the filters" : runsShown ? "No single message to show" : "No messages yet"}
            hint={
              all.length > 0
                ? undefined
                : runsShown
                  ? "Traffic is counted exactly in the runs above; rows show messages sent by hand and a live sample of a storm."
                  : "Send one from the Send panel, or start a traffic pattern."
            }
          />
        ) : (
          <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
            {/* The rows in flow under one offset: a new message at the top inserts one row and moves
                the block, rather than giving every row a new position to render. */}
            <div className="absolute inset-x-0 top-0" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
              {items.map((v) => {
                const m = rows[v.index] as MessageDTO;
                const seenAt = messageStore.seenAt(m.id);
                return <TimelineRow key={m.id} message={m} height={rowHeight} fresh={highlight && now - seenAt < FRESH_MS} seenAt={seenAt} />;
              })}
            </div>
          </div>
        )}
      </div>
    </Panel>
  );
}

function FollowToggle({ live, waiting, onFollow, onPause }: { live: boolean; waiting: number; onFollow: () => void; onPause: () => void }) {
  return (
    <button
      type="button"
      data-testid="timeline-follow"
      data-live={live}
      onClick={live ? onPause : onFollow}
      className={`flex h-9 cursor-pointer items-center gap-2 rounded-xl border px-3 text-sm font-semibold whitespace-nowrap transition-colors ${
        live ? "border-emerald-400/40 bg-emerald-400/10 text-emerald-200 hover:bg-emerald-400/15" : "border-amber-400/40 bg-amber-400/10 text-amber-200 hover:bg-amber-400/15"
      }`}
      title={live ? "Pause: freeze the list (statuses keep updating)" : "Follow live: show the newest messages"}
    >
      {live ? (
        <>
          {/* A still dot with a glow: a breathing one kept the page drawing frames while nothing happened (idle, 2 nodes: 0.27 of a core for Chromium with it, 0.17 without). */}
          <span className="size-2.5 rounded-full bg-emerald-400 shadow-[0_0_6px_1px_rgb(52_211_153/0.7)]" /> Live
        </>
      ) : (
        <>
          <span aria-hidden>❚❚</span> Paused
          {waiting > 0 && <span className="rounded-full bg-amber-400/25 px-2 tabular-nums">+{waiting > 999 ? "999+" : count(waiting)}</span>}
        </>
      )}
    </button>
  );
}

/** Rows of 46 px; in the presenter view 2.6 root ems (the root grows with the window there). */
function useRowHeight(large: boolean): number {
  const root = useRootPx(large);
  return large ? Math.round(2.6 * root) : ROW_HEIGHT;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** The names in the order of their short names (n2 before n10), each short name made once. */
function byShortName(names: string[]): string[] {
  return names
    .map((name) => [shortName(name), name] as const)
    .sort((a, b) => collator.compare(a[0], b[0]))
    .map(([, name]) => name);
}
