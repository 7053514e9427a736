import { describe, expect, it } from "vitest";
import type { MessageDTO } from "../../contracts/http-replies";
import type { ReplayItem } from "../../contracts/replay";
import { messageAt, ReplayModel } from "./model";
import { deployments, lastRun } from "./windows";

const N1 = "n1-ab12cd@127.0.0.1";
const N2 = "n2-ab12cd@127.0.0.1";
const T = 1_700_000_000_000;

const msg: MessageDTO = {
  id: "m1", from: N1, to: N2, content: "hi", status: "acked", sentAt: T + 1500, receivedAt: T + 1500.2, ackedAt: T + 1500.5,
  latencyMs: 0.2, latencyKind: "one-way", reason: null, seed: false,
};
const second = (at: number, received: number, samples: MessageDTO[] = []): ReplayItem => ({
  type: "second", at, counts: { sent: received, received, acked: received, lost: 0 }, p50: 0.1, p95: 0.2, p99: 0.3, nodes: { [N2]: { sent: 0, received } }, samples,
});

describe("the replay model", () => {
  it("shows a tracked message's life as it was at each moment", () => {
    const item = { type: "message" as const, at: T + 1499, message: msg, settledAt: null };
    expect(messageAt(item, T + 1000)).toBeNull();
    expect(messageAt(item, T + 1499.5)).toMatchObject({ status: "pending", sentAt: null, receivedAt: null });
    expect(messageAt(item, T + 1500.1)).toMatchObject({ status: "sent", receivedAt: null, latencyMs: null });
    expect(messageAt(item, T + 1500.3)).toMatchObject({ status: "received", receivedAt: T + 1500.2, ackedAt: null, latencyMs: 0.2 });
    expect(messageAt(item, T + 1501)).toBe(msg);
    const lost = { type: "message" as const, at: T, message: { ...msg, status: "lost" as const, receivedAt: null, ackedAt: null, latencyMs: null, reason: "timeout" }, settledAt: T + 6000 };
    expect(messageAt(lost, T + 5000)).toMatchObject({ status: "sent", reason: null });
    expect(messageAt(lost, T + 6000)).toMatchObject({ status: "lost", reason: "timeout" });
  });

  it("steps nodes, counters (pro rata within a second), samples and chart points forward", () => {
    const sample = { ...msg, id: "p1.5", status: "received" as const, receivedAt: T + 2100, sampled: true as const, sampleOf: 10 };
    const m = new ReplayModel(T, { counts: { sent: 5, received: 5, acked: 5, lost: 0 }, nodes: [{ name: N1, status: "up", since: T - 9000 }], desiredReplicas: 2 });
    m.append([
      { type: "event", at: T + 100, event: { at: T + 100, kind: "nodeup", node: N2, text: "n2 joined" } },
      { type: "message", at: T + 1499, message: msg, settledAt: null },
      second(T + 2000, 100, [sample]),
      { type: "event", at: T + 3500, event: { at: T + 3500, kind: "nodedown", node: N2, text: "n2 down (killed)" } },
    ]);
    let step = m.advance(T + 200);
    expect(step.nodesChanged).toBe(true);
    expect(m.upCount()).toBe(2);
    expect(m.countsNow()).toMatchObject({ sent: 5, received: 5, inFlight: 0 });
    step = m.advance(T + 2050);
    expect(step.messages.map((x) => [x.id, x.status])).toEqual([["m1", "acked"]]);
    expect(m.countsNow().received).toBe(5 + 5); // 50 ms of the second's 100
    step = m.advance(T + 2200);
    expect(step.messages.map((x) => x.id)).toEqual(["p1.5"]);
    m.advance(T + 4000);
    expect(m.countsNow()).toMatchObject({ sent: 105, received: 105, acked: 105, inFlight: 0 });
    expect(m.nodeCounts(N2).received).toBe(100);
    expect(m.nodes.nodes.get(N2)).toMatchObject({ status: "down", downReason: "killed" });
    expect(m.chartPoints().map((p) => [p.t - T, p.receivedRate])).toEqual([[1000, 0], [2000, 0], [3000, 100], [4000, 0]]);
    expect(m.latencyNow()).toEqual({ p50: 0.1, p95: 0.2, p99: 0.3 });
  });

  it("offers the last run and the deployments from the marks", () => {
    const marks = [
      { at: T, kind: "deploy" as const, text: "deploy/scale to 3 requested" },
      { at: T + 5000, kind: "traffic" as const, text: "traffic ring started: 600 messages from 3 nodes" },
      { at: T + 8000, kind: "traffic" as const, text: "traffic ring finished: 600 sent in 3.0 s" },
      { at: T + 20_000, kind: "deploy" as const, text: "remove requested" },
    ];
    expect(lastRun(marks, T + 60_000)).toMatchObject({ since: T + 4000, until: T + 11_000 });
    expect(deployments(marks, T + 60_000).map((d) => [d.since! - T, d.until! - T])).toEqual([[19_000, 60_000], [-1000, 20_000]]);
  });
});
