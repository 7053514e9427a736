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
      if (animate && arrived(m) && (!prev || !arrived(prev))) {
        for (const l of this.receptionListeners) l({ from: m.from, to: m.to, id: m.id });
      }
    }
    this.pending += messages.length + dropped;
    if (messages.length > 0 || dropped > 0) this.schedule();
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
    this.dirty = true;
    if (this.timer) return;
    // Shown at once when few messages change (a reception appears within a frame); batched when
    // thousands do, so the page stays responsive at 10k messages/s.
    const wait = Math.max(0, this.lastFlush + this.gap - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    if (!this.dirty) return;
    this.dirty = false;
    this.gap = this.pending > BUSY_BATCH ? FLUSH_MS : QUIET_GAP_MS;
    this.pending = 0;
    this.lastFlush = Date.now();
    const key = (m: MessageDTO) => m.sentAt ?? this.firstSeen.get(m.id) ?? 0;
    const sorted = [...this.byId.values()].sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : -1));
    for (const m of sorted.splice(MAX_MESSAGES)) {
      this.byId.delete(m.id);
      this.firstSeen.delete(m.id);
    }
    this.list = sorted;
    for (const l of this.listeners) l();
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
