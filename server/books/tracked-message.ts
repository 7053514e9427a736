import type { MessageDTO } from "../../lib/contracts/http-replies";

/**
 * A message followed one by one: sent by hand through the API (id and content), or a seed
 * reception. Its seq (once its sender reported it) places it in its pair's runs, which count it:
 * its status never disagrees with them, and it is never counted a second time.
 */
export interface TrackedMessage extends MessageDTO {
  createdAt: number;
  fromInc: number | null;
  seq: number | null;
  /** The pair's id once known (the store's `pairs` row). */
  pair: number | null;
  /** Lost for good (a gap) — a tentative loss may still turn into a reception. */
  final: boolean;
}

/** A message the server asked a sender to send: it exists, but is not sent until the sender says so. */
export function newMessage(id: string, from: string, to: string, content: string, now: number): TrackedMessage {
  return {
    id, from, to, content, status: "pending", sentAt: null, receivedAt: null, ackedAt: null, latencyMs: null, reason: null,
    seed: false, createdAt: now, fromInc: null, seq: null, pair: null, final: false,
  };
}

export function toDTO(m: TrackedMessage): MessageDTO {
  return {
    id: m.id, from: m.from, to: m.to, content: m.content, status: m.status, sentAt: m.sentAt, receivedAt: m.receivedAt,
    ackedAt: m.ackedAt, latencyMs: m.latencyMs, ...(m.latencyKind ? { latencyKind: m.latencyKind } : {}), reason: m.reason, seed: m.seed,
  };
}
