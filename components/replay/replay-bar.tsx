"use client";

import { useCallback } from "react";
import { clock, duration } from "@/lib/client/format";
import { REPLAY_SPEEDS, useReplay } from "@/lib/client/replay/mode";
import { pause, play, seek, setSpeed, stopReplay } from "@/lib/client/replay/player";
import { Spinner } from "../ui/button";
import { ReplayOverview } from "./replay-overview";

/** The overview redraws at most this many times over a window. */
const SCRUB_STEPS = 400;

/**
 * While a replay is shown: a violet banner that says so, with the replayed time, play/pause, the
 * speeds, the scrubber over the window's messages/s, and Live one click away. Nothing in live mode.
 */
export function ReplayBar() {
  const r = useReplay();
  const onSeek = useCallback((t: number) => seek(t), []);
  if (r.mode !== "replay") return null;
  const span = Math.max(1, r.until - r.since);
  const step = span / SCRUB_STEPS;
  const at = r.since + Math.round((r.t - r.since) / step) * step;
  const ready = r.until > 0;
  return (
    <section
      data-testid="replay-banner"
      data-t={Math.round(r.t)}
      data-playing={r.playing}
      aria-label="Replay"
      className="relative z-30 flex shrink-0 items-center gap-3 border-b-2 border-violet-400/60 bg-[linear-gradient(90deg,#1e1436,#120d22)] px-4 py-2"
    >
      <span className="rounded-md bg-violet-400 px-2 py-0.5 text-sm font-black tracking-[0.2em] text-[#170f2b] uppercase">Replay</span>
      <div className="flex min-w-[11rem] flex-col leading-tight">
        <span className="font-mono text-[1.45rem] font-bold text-violet-100 tabular-nums" data-testid="replay-clock">
          {ready ? clock(r.t) : "--:--:--"}
        </span>
        <span className="truncate text-xs text-violet-200/70" title={r.window?.label}>
          {ready ? `${new Date(r.t).toLocaleDateString()} · ${r.window?.label ?? ""}` : r.window?.label}
        </span>
      </div>
      <button
        type="button"
        onClick={r.playing ? pause : play}
        disabled={!ready}
        data-testid="replay-play"
        className="grid size-11 shrink-0 cursor-pointer place-items-center rounded-full bg-violet-400 text-lg font-bold text-[#170f2b] hover:bg-violet-300 disabled:opacity-40"
        title={r.playing ? "Pause" : "Play"}
      >
        {r.playing ? "❚❚" : "▶"}
        <span className="sr-only">{r.playing ? "Pause" : "Play"}</span>
      </button>
      <div className="flex shrink-0 overflow-hidden rounded-xl border border-violet-400/40" role="group" aria-label="Speed">
        {REPLAY_SPEEDS.map((s) => (
          <button
            key={s}
            type="button"
            onClick={() => setSpeed(s)}
            aria-pressed={r.speed === s}
            data-testid={`replay-speed-${s}`}
            className={`h-10 cursor-pointer px-3 font-semibold tabular-nums ${r.speed === s ? "bg-violet-400/30 text-violet-50" : "text-violet-200/70 hover:bg-violet-400/10"}`}
          >
            {s}×
          </button>
        ))}
      </div>
      <div className="flex min-w-0 flex-1 flex-col gap-0.5">
        <div className="h-9">{ready && <ReplayOverview since={r.since} until={r.until} at={at} onSeek={onSeek} />}</div>
        <input
          type="range"
          min={r.since}
          max={r.until}
          step={Math.max(1, Math.round(step))}
          value={Math.round(r.t)}
          disabled={!ready}
          onChange={(e) => seek(Number(e.target.value))}
          data-testid="replay-scrubber"
          aria-label="Replayed time"
          className="h-3 w-full cursor-pointer accent-violet-400"
        />
      </div>
      <span className="shrink-0 text-right text-sm text-violet-200/80 tabular-nums">
        {r.loading ? <Spinner className="inline size-4" /> : null} {duration((r.t - r.since) / 1000)} / {duration(span / 1000)}
        {r.error && <span className="block max-w-[14rem] truncate text-rose-300" title={r.error}>{r.error}</span>}
      </span>
      <button
        type="button"
        onClick={stopReplay}
        data-testid="replay-live"
        title="Back to the live cluster"
        className="flex h-11 shrink-0 cursor-pointer items-center gap-2 rounded-full border border-emerald-400/50 bg-emerald-400/10 px-4 font-bold text-emerald-200 hover:bg-emerald-400/20"
      >
        <span className="size-2.5 rounded-full bg-emerald-400" /> Live
      </button>
    </section>
  );
}
