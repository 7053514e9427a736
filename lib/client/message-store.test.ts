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

/** A quiet stream renders at the end of the task (a microtask), a busy one after FLUSH_MS. */
async function settle() {
  await Promise.resolve();
  vi.advanceTimersByTime(FLUSH_MS);
  await Promise.resolve();
}

describe("MessageStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("merges by id and keeps the newest first", async () => {
    const s = new MessageStore();
    s.merge([msg("a", "sent", 1), msg("b", "sent", 3), msg("c", "sent", 2)], true);
    s.merge([msg("a", "acked", 1)], true);
    await settle();
    expect(s.snapshot().map((m) => `${m.id}:${m.status}`)).toEqual(["b:sent", "c:sent", "a:acked"]);
  });

  it("tells React once per flush, not once per merge", async () => {
    const s = new MessageStore();
    const listener = vi.fn();
    s.subscribe(listener);
    for (let i = 0; i < 100; i++) s.merge([msg(`m${i}`, "sent", i)], true);
    await settle();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("reports a reception once, when a live message first arrives", async () => {
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

  it("does not let older history overwrite live state", async () => {
    const s = new MessageStore();
    s.merge([msg("a", "acked")], true);
    s.merge([msg("a", "sent")], false);
    expect(s.get("a")?.status).toBe("acked");
  });

  it(`keeps at most ${MAX_MESSAGES} messages, dropping the oldest`, async () => {
    const s = new MessageStore();
    s.merge(
      Array.from({ length: MAX_MESSAGES + 10 }, (_, i) => msg(`m${i}`, "sent", i)),
      false,
    );
    await settle();
    expect(s.snapshot()).toHaveLength(MAX_MESSAGES);
    expect(s.get("m0")).toBeUndefined();
    expect(s.snapshot()[0]?.id).toBe(`m${MAX_MESSAGES + 9}`);
  });

  it("places a few changes one by one exactly where a full sort puts them", async () => {
    const s = new MessageStore();
    s.merge(Array.from({ length: 300 }, (_, i) => msg(`h${i}`, "acked", i * 10)), false);
    await settle();
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 40; round++) {
      // A new message, a pending one turning sent at an earlier time, an old one acked late.
      const id = `r${round}`;
      s.merge([msg(id, "pending", null)], true);
      s.merge([msg(`h${Math.floor(rnd() * 300)}`, "acked", Math.floor(rnd() * 3000))], true);
      await settle();
      s.merge([msg(id, "sent", Math.floor(rnd() * 4000))], true);
      await settle();
    }
    const list = s.snapshot();
    const key = (m: MessageDTO) => m.sentAt ?? s.seenAt(m.id);
    const sorted = [...list].sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : -1));
    expect(list.map((m) => m.id)).toEqual(sorted.map((m) => m.id));
    expect(new Set(list.map((m) => m.id)).size).toBe(list.length);
  });

  it("keeps the objects of unchanged messages, so their rows need not render again", async () => {
    const s = new MessageStore();
    s.merge([msg("a", "acked", 1), msg("b", "acked", 2)], true);
    await settle();
    const [b, a] = s.snapshot();
    s.merge([msg("c", "sent", 3)], true);
    await settle();
    expect(s.snapshot().map((m) => m.id)).toEqual(["c", "b", "a"]);
    expect(s.snapshot()[1]).toBe(b);
    expect(s.snapshot()[2]).toBe(a);
  });

  it("renders a lone change at the end of the task that brought it, and a storm at most every FLUSH_MS", async () => {
    const s = new MessageStore();
    const listener = vi.fn();
    s.subscribe(listener);
    s.merge([msg("a", "sent", 1)], true);
    expect(listener).not.toHaveBeenCalled(); // not inside merge itself
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1); // no timer needed
    s.merge(Array.from({ length: 100 }, (_, i) => msg(`s${i}`, "sent", i)), true);
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(2);
    s.merge([msg("b", "sent", 2)], true); // busy now: waits
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(FLUSH_MS);
    expect(listener).toHaveBeenCalledTimes(3);
  });
});
