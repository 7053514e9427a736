"use client";

import { useSyncExternalStore } from "react";
import type { MessageDTO } from "../contracts/http-replies";

export const MAX_MESSAGES = 5000;
/** Under load (many updates since the last render), React is told at most this often. */
export const FLUSH_MS = 200;
/** A quiet stream renders at once (React batches what lands in the same task). */
const QUIET_GAP_MS = 0;
/** More changes than this in one render: the stream is busy, so the next render waits FLUSH_MS. */
const BUSY_BATCH = 50;
/** At most this many changed messages are placed one by one in the sorted list; more: it is sorted again. */
const PLACE_AT_MOST = 64;

export interface Reception {
  from: string;
  to: string;
  id: string;
}

const arrived = (m: MessageDTO) => m.status === "received" || m.status === "acked";

/**
 * All messages the browser knows, merged by id, newest first, at most MAX_MESSAGES.
 * Merges are cheap; React is told at most every FLUSH_MS so thousands of updates per
 * second cost a few renders. Receptions are reported at once for the topology pulses.
 */
export class MessageStore {
  private byId = new Map<string, MessageDTO>();
  private firstSeen = new Map<string, number>();
  private list: MessageDTO[] = [];
  private listeners = new Set<() => void>();
  private receptionListeners = new Set<(r: Reception) => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Ids merged since the last flush. */
  private changed = new Set<string>();
  /** The sort key each listed message was placed by. */
  private placedBy = new Map<string, number>();
  private dirty = false;
  private pending = 0;
  private lastFlush = 0;
  private gap = QUIET_GAP_MS;
  dropped = 0;

  /** animate: report receptions (live batches); false for history loaded over HTTP. */
  merge(messages: MessageDTO[], animate: boolean, dropped = 0): void {
    const now = Date.now();
    this.dropped += dropped;
    for (const m of messages) {
      const prev = this.byId.get(m.id);
      if (prev && !animate && rank(prev) > rank(m)) continue; // history older than live state
      this.byId.set(m.id, m);
      if (!prev) this.firstSeen.set(m.id, animate ? now : 0);
      this.changed.add(m.id);
      if (animate && arrived(m) && (!prev || !arrived(prev))) {
        for (const l of this.receptionListeners) l({ from: m.from, to: m.to, id: m.id });
      }
    }
    this.pending += messages.length + dropped;
    if (messages.length > 0 || dropped > 0) this.schedule();
  }

  /** Forgets every message (a replay starts, or ends): listeners see an empty list at once. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.byId.clear();
    this.firstSeen.clear();
    this.placedBy.clear();
    this.changed = new Set();
    this.list = [];
    this.dirty = false;
    this.pending = 0;
    this.dropped = 0;
    for (const l of this.listeners) l();
  }

  /** Thousands of updates a second: renders are batched (and the timeline skips its highlight). */
  get busy(): boolean {
    return this.gap !== QUIET_GAP_MS;
  }

  get(id: string): MessageDTO | undefined {
    return this.byId.get(id);
  }

  /** ms epoch when this browser first saw the message live; 0 for history. */
  seenAt(id: string): number {
    return this.firstSeen.get(id) ?? 0;
  }

  snapshot = (): MessageDTO[] => this.list;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  onReception(l: (r: Reception) => void): () => void {
    this.receptionListeners.add(l);
    return () => this.receptionListeners.delete(l);
  }

  private schedule(): void {
    if (this.dirty) return;
    this.dirty = true;
    // Shown at once when few messages change: at the end of the task that brought them (a
    // microtask, so what one socket frame carries renders once, and before any other task such as
    // the next animation frame); batched when thousands do, so the page stays responsive at 10k/s.
    const wait = this.lastFlush + this.gap - Date.now();
    if (wait > 0) this.timer = setTimeout(() => this.flush(), wait);
    else queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.timer = null;
    if (!this.dirty) return;
    this.dirty = false;
    this.gap = this.pending > BUSY_BATCH ? FLUSH_MS : QUIET_GAP_MS;
    this.pending = 0;
    this.lastFlush = Date.now();
    // A few changes (a quiet stream) are placed one by one in the sorted list; many are sorted.
    this.list = this.changed.size <= PLACE_AT_MOST ? this.place(this.changed) : this.sortAll();
    this.changed = new Set();
    for (const m of this.list.splice(MAX_MESSAGES)) {
      this.byId.delete(m.id);
      this.firstSeen.delete(m.id);
      this.placedBy.delete(m.id);
    }
    for (const l of this.listeners) l();
  }

  private key(m: MessageDTO): number {
    return m.sentAt ?? this.firstSeen.get(m.id) ?? 0;
  }

  /** Newest first; the same time: the larger id first. */
  private before(a: MessageDTO, b: MessageDTO): boolean {
    const [ka, kb] = [this.key(a), this.key(b)];
    return ka > kb || (ka === kb && a.id > b.id);
  }

  private sortAll(): MessageDTO[] {
    const sorted = [...this.byId.values()].sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
    this.placedBy = new Map(sorted.map((m) => [m.id, this.key(m)]));
    return sorted;
  }

  /** The list with these messages put in (or moved to) their place, the others untouched. */
  private place(ids: Set<string>): MessageDTO[] {
    const next = this.list.slice();
    for (const id of ids) {
      const m = this.byId.get(id);
      if (!m) continue;
      const at = this.placedBy.has(id) ? next.findIndex((x) => x.id === id) : -1;
      if (at >= 0 && this.placedBy.get(id) === this.key(m)) {
        next[at] = m;
        continue;
      }
      if (at >= 0) next.splice(at, 1);
      let [lo, hi] = [0, next.length];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.before(next[mid]!, m)) lo = mid + 1;
        else hi = mid;
      }
      next.splice(lo, 0, m);
      this.placedBy.set(id, this.key(m));
    }
    return next;
  }
}

/** Order of a message's life, so a late "sent" never overwrites "acked". */
function rank(m: MessageDTO): number {
  switch (m.status) {
    case "pending":
      return 0;
    case "sent":
      return 1;
    case "received":
      return 2;
    default:
      return 3; // acked, lost, failed: final
  }
}

export const messageStore = new MessageStore();

const EMPTY: MessageDTO[] = [];

export function useMessages(): MessageDTO[] {
  return useSyncExternalStore(messageStore.subscribe, messageStore.snapshot, () => EMPTY);
}
