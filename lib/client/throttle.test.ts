import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createStore } from "./store";
import { throttleStore } from "./throttle";

describe("throttleStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("tells at once, then at most once per interval, always with the latest value", () => {
    const source = createStore(0);
    const view = throttleStore(source, 1000);
    const seen: number[] = [];
    view.subscribe(() => seen.push(view.get()));

    source.set(1); // the first change: at once
    expect(seen).toEqual([1]);
    source.set(2);
    source.set(3);
    expect(view.get()).toBe(1); // held until the interval ends
    vi.advanceTimersByTime(999);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1, 3]);
  });

  it("is the source itself while nobody listens, and stops listening to it when the last one leaves", () => {
    const source = createStore("a");
    const view = throttleStore(source, 1000);
    source.set("b");
    expect(view.get()).toBe("b");
    const listener = vi.fn();
    const off = view.subscribe(listener);
    source.set("c");
    off();
    source.set("d");
    vi.advanceTimersByTime(5000);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(view.get()).toBe("d");
  });
});
