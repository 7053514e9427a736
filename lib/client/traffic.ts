"use client";

import type { TrafficRunDTO } from "@/lib/contracts/http-replies";
import { createStore, useStore } from "./store";

/** The server's latest traffic run, as its `traffic` events and /api/traffic answers say. */
export const trafficStore = createStore<TrafficRunDTO | null>(null);

/** Keeps a run's newest state (older news is ignored); the run comes checked against its contract. */
export function setTraffic(next: TrafficRunDTO): TrafficRunDTO {
  trafficStore.set((prev) => (prev && isOlder(next, prev) ? prev : next));
  return next;
}

// A run started earlier is older; within one run, counts only grow and "running" only turns
// into an end state.
function isOlder(a: TrafficRunDTO, b: TrafficRunDTO): boolean {
  if (a.run !== b.run) return a.startedAt < b.startedAt;
  if (a.state === "running" && b.state !== "running") return true;
  return a.state === b.state && a.done <= b.done && a.sent < b.sent;
}

export function useTraffic(): TrafficRunDTO | null {
  return useStore(trafficStore, null);
}
