"use client";

import type { ClusterEventDTO } from "../contracts/http-replies";
import { createStore, useStore } from "./store";

export const MAX_EVENTS = 100;

export interface LoggedEvent extends ClusterEventDTO {
  key: number;
}

let seq = 0;

/** The last MAX_EVENTS cluster events, newest first. */
export const eventStore = createStore<LoggedEvent[]>([]);

export function pushEvent(e: ClusterEventDTO): void {
  eventStore.set((prev) => [{ ...e, key: ++seq }, ...prev].slice(0, MAX_EVENTS));
}

/** Merges history loaded over HTTP with what arrived live, newest first, without duplicates. */
export function loadEventHistory(history: ClusterEventDTO[]): void {
  eventStore.set((live) => {
    const seen = new Set(live.map(sig));
    const older = history.filter((e) => !seen.has(sig(e))).map((e) => ({ ...e, key: ++seq }));
    return [...live, ...older].sort((a, b) => b.at - a.at).slice(0, MAX_EVENTS);
  });
}

const sig = (e: ClusterEventDTO) => `${e.at}|${e.kind}|${e.node ?? ""}|${e.text}`;

const EMPTY: LoggedEvent[] = [];

export function useEvents(): LoggedEvent[] {
  return useStore(eventStore, EMPTY);
}
