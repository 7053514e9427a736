import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClusterDTO } from "@/lib/contracts/http-replies";
import { pendingToast, settleToasts, toast, toastStore } from "./toasts";

const cluster = (progress: Partial<NonNullable<ClusterDTO["progress"]>> | null) =>
  ({ nodes: [], progress: progress && { target: 5, startedAt: 1, phase: "", replicasRunning: 0, nodesUp: 0, done: false, ...progress } }) as unknown as ClusterDTO;
const texts = () => toastStore.get().map((t) => t.text);

describe("toasts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    toastStore.set([]);
  });
  afterEach(() => vi.useRealTimers());

  it("keeps an action's toast until the cluster says it finished, and shows it at least 1.2 s", () => {
    const done = (c: ClusterDTO) => !!c.progress?.done && c.progress.target === 5;
    pendingToast("Scaling to 5 replicas…", done);
    vi.advanceTimersByTime(10_000); // longer than a plain toast lives
    settleToasts(cluster({ done: false }));
    expect(texts()).toEqual(["Scaling to 5 replicas…"]);
    settleToasts(cluster({ done: true }));
    expect(texts()).toEqual([]);

    pendingToast("Scaling to 5 replicas…", done);
    settleToasts(cluster({ done: true }));
    expect(texts()).toEqual(["Scaling to 5 replicas…"]);
    vi.advanceTimersByTime(1200);
    expect(texts()).toEqual([]);
  });

  it("skips a toast whose action has already finished, and drops one that never finishes after two minutes", () => {
    pendingToast("Killing n3…", () => true, cluster(null));
    expect(texts()).toEqual([]);
    pendingToast("Killing n4…", () => false);
    vi.advanceTimersByTime(119_000);
    expect(texts()).toEqual(["Killing n4…"]);
    vi.advanceTimersByTime(1000);
    expect(texts()).toEqual([]);
  });

  it("does not repeat an identical toast and keeps at most four", () => {
    toast("info", "a");
    toast("info", "a");
    for (const t of ["b", "c", "d", "e"]) toast("success", t);
    expect(texts()).toEqual(["b", "c", "d", "e"]);
    vi.advanceTimersByTime(4000);
    expect(texts()).toEqual([]);
  });
});
