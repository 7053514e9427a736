"use client";

import type { ClusterEventDTO } from "@/lib/types";
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

const EMPTY: LoggedEvent[] = [];

export function useEvents(): LoggedEvent[] {
  return useStore(eventStore, EMPTY);
}
