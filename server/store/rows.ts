import type { LatencyKind, MessageStatus } from "../../lib/contracts/common";
import type { ClusterEventDTO, MessageDTO } from "../../lib/contracts/http-replies";
import type { TrackedMessage } from "../books/tracked-message";

// The stored rows and their DTOs: one mapping, used by every reader of the database.

export interface MessageRow {
  id: string;
  from_node: string;
  to_node: string;
  content: string;
  status: MessageStatus;
  sent_at: number | null;
  received_at: number | null;
  acked_at: number | null;
  latency_ms: number | null;
  latency_kind: LatencyKind | null;
  reason: string | null;
  seed: number;
  created_at: number;
  pair: number | null;
  pair_seq: number | null;
  from_inc: number | null;
  final: number;
}

export function rowToDTO(r: MessageRow): MessageDTO {
  return {
    id: r.id,
    from: r.from_node,
    to: r.to_node,
    content: r.content,
    status: r.status,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    ackedAt: r.acked_at,
    latencyMs: r.latency_ms,
    ...(r.latency_kind ? { latencyKind: r.latency_kind } : {}),
    reason: r.reason,
    seed: r.seed === 1,
  };
}

/** A stored tracked (or seed) message back in memory. */
export function rowToTracked(r: MessageRow): TrackedMessage {
  return { ...rowToDTO(r), createdAt: r.created_at, fromInc: r.from_inc, seq: r.pair_seq, pair: r.pair, final: r.final === 1 };
}

export interface EventRow {
  at: number;
  kind: string;
  node: string | null;
  text: string;
}

export function eventRowToDTO(r: EventRow): ClusterEventDTO {
  return { at: r.at, kind: r.kind, text: r.text, ...(r.node ? { node: r.node } : {}) };
}

/** Maps an iterator lazily; `return()` reaches the source, so an abandoned SQLite cursor is released. */
export function mapIterator<A, B>(src: IterableIterator<A>, fn: (a: A) => B): IterableIterator<B> {
  const out: IterableIterator<B> = {
    next() {
      const r = src.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: fn(r.value) };
    },
    return(value?: unknown) {
      src.return?.();
      return { done: true, value: value as B };
    },
    [Symbol.iterator]() {
      return out;
    },
  };
  return out;
}
