import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pacer } from "./pacer";

describe("pacer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs at the end of the turn, once for all the calls made until then", async () => {
    const fn = vi.fn();
    const p = pacer(4, 100, () => 0, fn);
    p.schedule();
    p.schedule();
    expect(p.pending()).toBe(true);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0); // setImmediate
    expect(fn).toHaveBeenCalledTimes(1);
    expect(p.pending()).toBe(false);
  });

  it("lets a burst through at once, then one run per interval", () => {
    const fn = vi.fn();
    const p = pacer(3, 100, () => 0, fn);
    for (let i = 0; i < 3; i++) {
      p.schedule();
      vi.advanceTimersByTime(0);
    }
    expect(fn).toHaveBeenCalledTimes(3);
    p.schedule();
    vi.advanceTimersByTime(50);
    expect(fn).toHaveBeenCalledTimes(3); // out of tokens: waits for one
    vi.advanceTimersByTime(60);
    expect(fn).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(1000); // quiet again: the burst refills
    for (let i = 0; i < 3; i++) {
      p.schedule();
      vi.advanceTimersByTime(0);
    }
    expect(fn).toHaveBeenCalledTimes(7);
  });

  it("keeps at least gap() ms between runs", () => {
    const fn = vi.fn();
    const p = pacer(8, 1, () => 20, fn);
    p.schedule();
    vi.advanceTimersByTime(0);
    p.schedule();
    vi.advanceTimersByTime(10);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("cancels what is pending", () => {
    const fn = vi.fn();
    const p = pacer(1, 100, () => 0, fn);
    p.schedule();
    p.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
  });
});
