import type { MessageStatus } from "../../lib/contracts/common";
import type { TrackedMessage } from "../books/tracked-message";

/** For the store's tests: a tracked message n1 → n2 sent and created at 1000, with overrides. */
export function tm(id: string, status: MessageStatus, over: Partial<TrackedMessage> = {}): TrackedMessage {
  return {
    id, from: "n1-d@h", to: "n2-d@h", content: id, status,
    sentAt: 1000, receivedAt: null, ackedAt: null, latencyMs: null, reason: null, seed: false, createdAt: 1000,
    fromInc: null, seq: null, pair: null, final: false,
    ...over,
  };
}
