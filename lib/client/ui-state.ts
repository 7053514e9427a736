"use client";

import { createStore, useStore } from "./store";

/**
 * What the dashboard and the presenter view share, so F flips between them without losing it,
 * and keyboard shortcuts act on what the panels show: the selected node, the send form, the
 * replica count in the Swarm panel, and whether the timeline is paused.
 */
export interface UiState {
  selected: string | null;
  /** The sender chosen in the send form ("" = the first node up). */
  from: string;
  to: string;
  content: string;
  /** The Replicas box, as typed (null: the desired count, or 5). */
  replicasDraft: string | null;
  /** Ids shown while the timeline is paused; null while it follows live. */
  frozen: ReadonlySet<string> | null;
}

export const uiStore = createStore<UiState>({ selected: null, from: "", to: "*", content: "hello", replicasDraft: null, frozen: null });

export function setUi(patch: Partial<UiState>): void {
  uiStore.set((s) => {
    const keys = Object.keys(patch) as (keyof UiState)[];
    return keys.every((k) => Object.is(s[k], patch[k])) ? s : { ...s, ...patch };
  });
}

export function useUi(): UiState {
  return useStore(uiStore);
}
