"use client";

import type { ClusterDTO } from "@/lib/contracts/http-replies";
import { createStore, useStore } from "./store";

export type ToastKind = "error" | "success" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  title?: string;
  /** An action under way: the toast stays until the cluster shows it finished. */
  until?: (cluster: ClusterDTO) => boolean;
  shownAt: number;
}

/** A toast for an action under way is read before it goes, even when the action is instant. */
const MIN_SHOWN_MS = 1200;
/** It goes anyway after this, whatever the cluster says. */
const MAX_PENDING_MS = 120_000;

let seq = 0;
export const toastStore = createStore<Toast[]>([]);

export function dismissToast(id: number): void {
  toastStore.set((list) => list.filter((t) => t.id !== id));
}

/** Shows a toast; an identical one already visible is not repeated. */
export function toast(kind: ToastKind, text: string, title?: string): void {
  add(kind, text, title);
}

/**
 * A toast announcing an action ("Scaling to 5 replicas…") that goes when `done(cluster)` holds
 * for a cluster snapshot (settleToasts), at the latest after two minutes.
 */
export function pendingToast(text: string, done: (cluster: ClusterDTO) => boolean, current?: ClusterDTO): void {
  if (current && done(current)) return;
  add("info", text, undefined, done);
}

/** Called with every cluster snapshot: the toasts whose action has finished go. */
export function settleToasts(cluster: ClusterDTO | undefined): void {
  if (!cluster) return;
  const now = Date.now();
  for (const t of toastStore.get()) {
    if (!t.until || !t.until(cluster)) continue;
    const wait = t.shownAt + MIN_SHOWN_MS - now;
    if (wait <= 0) dismissToast(t.id);
    else setTimeout(() => dismissToast(t.id), wait);
  }
}

function add(kind: ToastKind, text: string, title?: string, until?: Toast["until"]): void {
  if (toastStore.get().some((t) => t.kind === kind && t.text === text)) return;
  const id = ++seq;
  toastStore.set((list) => [...list.slice(-3), { id, kind, text, title, until, shownAt: Date.now() }]);
  setTimeout(() => dismissToast(id), until ? MAX_PENDING_MS : kind === "error" ? 8000 : 4000);
}

const EMPTY: Toast[] = [];

export function useToasts(): Toast[] {
  return useStore(toastStore, EMPTY);
}
