"use client";

import { useSyncExternalStore } from "react";
import type { PairProgressDTO } from "../contracts/http-replies";

// The exact per-pair books the socket sends a few times a second (`messages` batches' `runs`):
// what the timeline's sample stands for. Newest state per pair; bounded.

const MAX_PAIRS = 2000;

class PairRuns {
  private byPair = new Map<number, PairProgressDTO & { at: number }>();
  private list: (PairProgressDTO & { at: number })[] = [];
  private listeners = new Set<() => void>();

  merge(runs: PairProgressDTO[] | undefined): void {
    if (!runs?.length) return;
    const now = Date.now();
    for (const r of runs) {
      this.byPair.delete(r.pair);
      this.byPair.set(r.pair, { ...r, at: now });
    }
    while (this.byPair.size > MAX_PAIRS) this.byPair.delete(this.byPair.keys().next().value!);
    this.list = [...this.byPair.values()].reverse();
    for (const l of this.listeners) l();
  }

  reset(): void {
    this.byPair.clear();
    this.list = [];
    for (const l of this.listeners) l();
  }

  snapshot = () => this.list;

  any = () => this.list.length > 0;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export const pairRuns = new PairRuns();
const EMPTY: (PairProgressDTO & { at: number })[] = [];

/** Pairs whose books moved, most recently moved first. */
export function usePairRuns() {
  return useSyncExternalStore(pairRuns.subscribe, pairRuns.snapshot, () => EMPTY);
}

/** Whether any pair has books: a component that needs no more re-renders only when that flips, not on every batch. */
export function useAnyPairRuns(): boolean {
  return useSyncExternalStore(pairRuns.subscribe, pairRuns.any, () => false);
}
