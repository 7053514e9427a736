"use client";

import { createStore, useStore } from "./store";

export type ToastKind = "error" | "success" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  title?: string;
}

let seq = 0;
export const toastStore = createStore<Toast[]>([]);

export function dismissToast(id: number): void {
  toastStore.set((list) => list.filter((t) => t.id !== id));
}

/** Shows a toast; an identical one already visible is not repeated. */
export function toast(kind: ToastKind, text: string, title?: string): void {
  if (toastStore.get().some((t) => t.kind === kind && t.text === text)) return;
  const id = ++seq;
  toastStore.set((list) => [...list.slice(-4), { id, kind, text, title }]);
  setTimeout(() => dismissToast(id), kind === "error" ? 8000 : 4000);
}

const EMPTY: Toast[] = [];

export function useToasts(): Toast[] {
  return useStore(toastStore, EMPTY);
}
