import type { MessageDTO } from "../../lib/contracts/http-replies";

/** A message the tracker follows, and which counters it has entered (each one counts it once). */
export interface TrackedMessage extends MessageDTO {
  createdAt: number;
  counted: { sent: boolean; received: boolean; acked: boolean; lost: boolean };
}

/** A message the server asked a sender to send: it exists, but is not sent until the sender says so. */
export function newMessage(id: string, from: string, to: string, content: string, now: number): TrackedMessage {
  return {
    id,
    from,
    to,
    content,
    status: "pending",
    sentAt: null,
    receivedAt: null,
    ackedAt: null,
    latencyMs: null,
    reason: null,
    seed: false,
    createdAt: now,
    counted: { sent: false, received: false, acked: false, lost: false },
  };
}

export function toDTO(m: TrackedMessage): MessageDTO {
  return {
    id: m.id,
    from: m.from,
    to: m.to,
    content: m.content,
    status: m.status,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    ackedAt: m.ackedAt,
    latencyMs: m.latencyMs,
    reason: m.reason,
    seed: m.seed,
    ...(m.latencyKind ? { latencyKind: m.latencyKind } : {}),
  };
}
