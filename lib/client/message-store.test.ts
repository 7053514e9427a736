import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MessageDTO } from "../contracts/http-replies";
import { FLUSH_MS, MAX_MESSAGES, MessageStore } from "./message-store";

const msg = (id: string, status: MessageDTO["status"], sentAt: number | null = 1000): MessageDTO => ({
  id,
  from: "n1-a@h",
  to: "n2-a@h",
  content: "hello",
  status,
  sentAt,
  receivedAt: null,
  ackedAt: null,
  latencyMs: null,
  reason: null,
  seed: false,
});

describe("MessageStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("merges by id and keeps the newest first", () => {
    const s = new MessageStore();
    s.merge([msg("a", "sent", 1), msg("b", "sent", 3), msg("c", "sent", 2)], true);
    s.merge([msg("a", "acked", 1)], true);
    vi.advanceTimersByTime(FLUSH_MS);
    expect(s.snapshot().map((m) => `${m.id}:${m.status}`)).toEqual(["b:sent", "c:sent", "a:acked"]);
  });

  it("tells React once per flush, not once per merge", () => {
    const s = new MessageStore();
    const listener = vi.fn();
    s.subscribe(listener);
    for (let i = 0; i < 100; i++) s.merge([msg(`m${i}`, "sent", i)], true);
    vi.advanceTimersByTime(FLUSH_MS);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("reports a reception once, when a live message first arrives", () => {
    const s = new MessageStore();
    const seen = vi.fn();
    s.onReception(seen);
    s.merge([msg("a", "sent")], true);
    s.merge([msg("a", "received")], true);
    s.merge([msg("a", "acked")], true);
    s.merge([msg("b", "acked")], false); // history: no pulse
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen).toHaveBeenCalledWith({ from: "n1-a@h", to: "n2-a@h", id: "a" });
  });

  it("does not let older history overwrite live state", () => {
    const s = new MessageStore();
    s.merge([msg("a", "acked")], true);
    s.merge([msg("a", "sent")], false);
    expect(s.get("a")?.status).toBe("acked");
  });

  it(`keeps at most ${MAX_MESSAGES} messages, dropping the oldest`, () => {
    const s = new MessageStore();
    s.merge(
      Array.from({ length: MAX_MESSAGES + 10 }, (_, i) => msg(`m${i}`, "sent", i)),
      false,
    );
    vi.advanceTimersByTime(FLUSH_MS);
    expect(s.snapshot()).toHaveLength(MAX_MESSAGES);
    expect(s.get("m0")).toBeUndefined();
    expect(s.snapshot()[0]?.id).toBe(`m${MAX_MESSAGES + 9}`);
  });
});
