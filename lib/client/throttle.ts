"use client";

import type { Store } from "./store";

type Readable<T> = Pick<Store<T>, "get" | "subscribe">;

/**
 * A view of `source` that tells its listeners at most once every `ms` (the first change at once,
 * later ones at the end of the interval, the latest value always), for panels whose render is
 * expensive and need not follow every update (the charts: two stats snapshots a second).
 */
export function throttleStore<T>(source: Readable<T>, ms: number): Readable<T> {
  const listeners = new Set<() => void>();
  let value = source.get();
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;

  const publish = () => {
    timer = null;
    last = Date.now();
    const next = source.get();
    if (Object.is(next, value)) return;
    value = next;
    for (const l of listeners) l();
  };
  const changed = () => {
    if (timer) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) publish();
    else timer = setTimeout(publish, wait);
  };

  return {
    // Unobserved, the view is the source itself; observed, what was last published.
    get: () => (unsubscribe ? value : source.get()),
    subscribe(listener) {
      if (!unsubscribe) {
        value = source.get();
        unsubscribe = source.subscribe(changed);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0 || !unsubscribe) return;
        unsubscribe();
        unsubscribe = null;
        if (timer) clearTimeout(timer);
        timer = null;
      };
    },
  };
}
