"use client";

import { createStore, useStore } from "../store";

// Whether the page shows the live cluster or a replay of a stored window, and the replay's own
// state (the player in ./player.ts sets it). Live is the default; in replay the socket is closed,
// the live queries stop and every control is hidden (useCanControl), and the same stores the live
// view reads are fed from GET /api/replay.

export const REPLAY_SPEEDS = [1, 5, 20] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

export interface ReplayWindow {
  since?: number;
  until?: number;
  /** What the user picked, in words ("last run", "last 5 minutes", "deploy to 5 at 14:02"). */
  label: string;
}

export interface ReplayState {
  mode: "live" | "replay";
  window: ReplayWindow | null;
  /** The window as the server resolved it (ms epoch); 0 until the first page. */
  since: number;
  until: number;
  /** The replayed moment. */
  t: number;
  /** History loaded up to here (the player waits at this edge while pages come). */
  loadedUntil: number;
  speed: ReplaySpeed;
  playing: boolean;
  loading: boolean;
  error: string | null;
}

const LIVE: ReplayState = { mode: "live", window: null, since: 0, until: 0, t: 0, loadedUntil: 0, speed: 5, playing: false, loading: false, error: null };

export const replayStore = createStore<ReplayState>(LIVE);

export function patchReplay(patch: Partial<ReplayState>): void {
  replayStore.set((s) => ({ ...s, ...patch }));
}

export function resetReplayState(): void {
  replayStore.set({ ...LIVE, speed: replayStore.get().speed });
}

export function useReplay(): ReplayState {
  return useStore(replayStore, LIVE);
}

/** True while a replay is shown (the live socket and queries are off). */
export function useReplaying(): boolean {
  return useReplay().mode === "replay";
}
