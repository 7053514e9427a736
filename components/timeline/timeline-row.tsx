import { memo } from "react";
import { clockMs, latency, shortName } from "@/lib/client/format";
import type { MessageDTO } from "@/lib/contracts/http-replies";
import { StatusBadge } from "./status-badge";

export const ROW_HEIGHT = 46;
/**
 * Columns by the panel's width (container queries): from → to, status and latency always; the
 * time from 32 root ems; the content from 42 (the presenter view's larger type reaches them later).
 */
export const GRID =
  "grid grid-cols-[minmax(0,1fr)_6.4rem_5.8rem] @lg:grid-cols-[7.2rem_minmax(0,1fr)_6.4rem_5.8rem] @2xl:grid-cols-[7.6rem_minmax(8rem,12rem)_minmax(0,1fr)_6.4rem_6.2rem] items-center gap-3 px-4";
export const TIME_CELL = "hidden @lg:block";
export const CONTENT_CELL = "hidden @2xl:flex";

interface TimelineRowProps {
  message: MessageDTO;
  height: number;
  fresh: boolean;
  seenAt: number;
}

/** One message: time, from → to, content (and why it was lost), status, latency. */
export const TimelineRow = memo(function TimelineRow({ message: m, height, fresh, seenAt }: TimelineRowProps) {
  const bad = m.status === "lost" || m.status === "failed";
  const rtt = m.ackedAt != null && m.sentAt != null ? m.ackedAt - m.sentAt : null;
  const kind = m.latencyKind === "half-rtt" ? "half the round trip (the hosts' clocks differ)" : m.latencyKind;
  const latencyTitle = [kind && `latency: ${kind}`, rtt !== null && `round trip ${latency(rtt)}`].filter(Boolean).join("; ");
  return (
    <div
      data-testid="timeline-row"
      data-status={m.status}
      data-id={m.id}
      className={`${GRID} relative [contain:strict] border-b border-edge/60 text-[0.95rem] ${bad ? "bg-rose-500/[0.04]" : ""}`}
      style={{ height }}
    >
      {fresh && <span aria-hidden className="pointer-events-none absolute inset-0 animate-row-in bg-accent/[0.07] shadow-[inset_4px_0_0_0_rgb(56_214_196/0.9)]" />}
      <span className={`${TIME_CELL} font-mono text-sm text-dim tabular-nums`}>{clockMs(m.sentAt ?? seenAt)}</span>
      <span className="flex min-w-0 items-center gap-1.5 font-semibold" title={`${m.from} → ${m.to}: ${m.content}${m.reason ? ` (${m.reason})` : ""}`}>
        <span className="truncate">{shortName(m.from)}</span>
        <span className="text-faint">→</span>
        <span className="truncate">{shortName(m.to)}</span>
      </span>
      <span className={`${CONTENT_CELL} min-w-0 items-center gap-2`}>
        {m.seed && <span className="rounded bg-violet-500/20 px-1.5 text-xs font-semibold text-violet-300">seed</span>}
        {m.sampled && (
          <span
            className="rounded bg-sky-500/15 px-1.5 text-xs font-semibold whitespace-nowrap text-sky-300"
            data-testid="sample-badge"
            title="A sample of the bulk stream: this row stands for the messages received since the previous sample; the exact counts are the pairs' runs above and the counters."
          >
            sample, 1 of ~{m.sampleOf ?? 1}
          </span>
        )}
        <span className="truncate text-ink/90" title={m.content}>
          {m.content}
        </span>
        {bad && m.reason && (
          <span className="ml-auto shrink truncate text-sm font-medium text-rose-300" title={m.reason} data-testid="timeline-reason">
            {m.reason}
          </span>
        )}
      </span>
      <StatusBadge status={m.status} />
      <span
        className="text-right font-mono text-sm tabular-nums"
        title={latencyTitle || undefined}
        data-latency-kind={m.latencyKind}
      >
        {m.latencyMs !== null ? latency(m.latencyMs) : <span className="text-faint">—</span>}
      </span>
    </div>
  );
});
