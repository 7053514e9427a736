import { describe, expect, it } from "vitest";
import { ClusterModel } from "../cluster/model";
import type { Logger } from "../log";
import { MessageTracker } from "../messages/tracker";
import { TrafficRuns } from "../traffic/runs";
import { createFrameRouter } from "./frame-router";

const A = "n1-x@127.0.0.1";
const B = "n2-x@127.0.0.1";

function setup() {
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
  const model = new ClusterModel({ runtime: "local", deploymentId: "x", counts: () => ({ sent: 0, received: 0 }) });
  const traffic = new TrafficRuns({ send: () => true, record: () => {}, shortName: (n) => n });
  const tracker = new MessageTracker({ lossTimeoutMs: 10_000, onSent: (m) => traffic.onSent(m.id) });
  const route = createFrameRouter({ model, tracker, traffic, log });
  return { model, tracker, traffic, route, warnings };
}

describe("frame router", () => {
  it("a generator's sends are counted before its traffic_done, so the finished run's count is exact", () => {
    const { tracker, traffic, route } = setup();
    route({ t: "nodeup", node: A });
    route({ t: "nodeup", node: B });
    const run = traffic.start({ pattern: "one", from: A, to: B, rounds: 3 }, [A, B]).run;
    const sent = (i: number) => ({ e: "sent", id: `${run}.1.${i}`, to: B, t: 1000 + i, content: "x" });
    route({ t: "events", node: A, events: [sent(1), sent(2), sent(3), { e: "traffic_done", run, sent: 3 }] });
    expect(traffic.current()).toMatchObject({ state: "finished", sent: 3, reported: 3 });
    expect(tracker.stats()).toMatchObject({ sent: 3, inFlight: 3 });
  });

  it("a message first seen at its receiver counts as sent for the run too", () => {
    const { traffic, route } = setup();
    const run = traffic.start({ pattern: "one", from: A, to: B }, [A, B]).run;
    route({ t: "events", node: B, events: [{ e: "received", id: `${run}.1.1`, from: A, t0: 1, t: 2, content: "x", seed: false }] });
    route({ t: "events", node: A, events: [{ e: "sent", id: `${run}.1.1`, to: B, t: 1, content: "x" }] });
    expect(traffic.current()?.sent).toBe(1);
  });

  it("nodedown reaches the model, the tracker and the traffic run", () => {
    const { model, tracker, traffic, route } = setup();
    route({ t: "nodeup", node: A });
    route({ t: "nodeup", node: B });
    traffic.start({ pattern: "ring" }, [A, B]);
    tracker.create("m1", A, B, "hi");
    route({ t: "events", node: A, events: [{ e: "sent", id: "m1", to: B, t: 1, content: "hi" }] });
    route({ t: "nodedown", node: B, reason: "connection_closed" });
    expect(model.isUp(B)).toBe(false);
    expect(tracker.get("m1")).toMatchObject({ status: "lost", reason: "receiver down (connection_closed)" });
    expect(traffic.current()?.pending).toEqual([A]);
  });

  it("links go to the model; a malformed event is skipped with a warning, the rest of its batch kept", () => {
    const { model, tracker, route, warnings } = setup();
    route({ t: "nodeup", node: A });
    route({ t: "links", node: A, links: [B] });
    expect(model.snapshot().nodes.find((n) => n.name === A)?.links).toEqual([B]);
    route({ t: "events", node: A, events: [{ e: "sent", id: 7 }, { e: "sent", id: "ok", to: B, t: 1, content: "" }] });
    expect(warnings).toHaveLength(1);
    expect(tracker.stats().sent).toBe(1);
  });
});
