import { describe, expect, it } from "vitest";
import { BatchHolder } from "../books/batch";
import { Books } from "../books/books";
import { A, B, recvRun, report, sentRun, stats } from "../books/test-frames";
import { ClusterModel } from "../cluster/model";
import type { Logger } from "../log";
import { TrafficRuns } from "../traffic/runs";
import { createFrameRouter } from "./frame-router";

function setup() {
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
  const model = new ClusterModel({ runtime: "local", deploymentId: "x", counts: () => ({ sent: 0, received: 0 }) });
  const traffic = new TrafficRuns({ send: () => true, record: () => {}, shortName: (n) => n });
  const books = new Books({
    lossTimeoutMs: 10_000, sameClock: () => true, batch: new BatchHolder(), warn: (m) => warnings.push(m),
    onRunSent: (run, node, n) => traffic.onRunSent(run, node, n),
    onRunDone: (run, node, n) => traffic.onGeneratorDone(run, node, n),
  });
  books.setBridgeUp(true);
  const route = createFrameRouter({ model, books, traffic, log });
  return { model, books, traffic, route, warnings };
}

describe("frame router", () => {
  it("a run's traffic_sent events are counted before its traffic_done, so the finished run's count is exact", () => {
    const { books, traffic, route } = setup();
    route({ t: "nodeup", node: A, inc: 1 });
    route({ t: "nodeup", node: B, inc: 2 });
    const run = traffic.start({ pattern: "one", from: A, to: B, rounds: 3 }, [A, B]).run;
    route(report(A, 1, 1, { sent: [sentRun(B, 1, 3)], events: [{ e: "traffic_sent", run, sent: 3 }, { e: "traffic_done", run, sent: 3 }] }));
    expect(traffic.current()).toMatchObject({ state: "finished", sent: 3, reported: 3 });
    expect(books.stats()).toMatchObject({ sent: 3, inFlight: 3 });
  });

  it("nodedown reaches the model, the books and the traffic run", () => {
    const { model, books, traffic, route } = setup();
    route({ t: "nodeup", node: A, inc: 1 });
    route({ t: "nodeup", node: B, inc: 2 });
    traffic.start({ pattern: "ring" }, [A, B]);
    books.create("m1", A, B, "hi");
    route(report(A, 1, 1, { sent: [sentRun(B, 1, 1)], events: [{ e: "sent", id: "m1", to: B, seq: 1, t: 1, content: "hi" }] }));
    route({ t: "nodedown", node: B, reason: "connection_closed" });
    expect(model.isUp(B)).toBe(false);
    expect(books.message("m1")).toMatchObject({ status: "lost", reason: "receiver_down (connection_closed)" });
    expect(traffic.current()?.pending).toEqual([A]);
  });

  it("links go to the model and the books; a malformed event is skipped with a warning, the rest of its report kept", () => {
    const { model, books, route, warnings } = setup();
    route({ t: "nodeup", node: A, inc: 1 });
    route({ t: "links", node: A, links: [B] });
    expect(model.snapshot().nodes.find((n) => n.name === A)?.links).toEqual([B]);
    route(report(A, 1, 1, { sent: [sentRun(B, 1, 2)], events: [{ e: "sent", id: 7 }, { e: "sent", id: "ok", to: B, seq: 2, t: 1, content: "" }] }));
    expect(warnings).toHaveLength(1);
    expect(books.stats().sent).toBe(2);
    expect(books.message("ok")).toMatchObject({ status: "sent" });
  });

  it("stats after the reports they count reconcile; the nodeup's incarnation comes from the frame or its info", () => {
    const { books, route } = setup();
    route({ t: "nodeup", node: A, info: { inc: 1 } });
    route({ t: "nodeup", node: B, inc: 2 });
    route(report(A, 1, 1, { sent: [sentRun(B, 1, 5)] }));
    route(report(B, 2, 1, { recv: [recvRun(A, 1, 1, 5)] }));
    route(stats(A, 1, 1, { sentTo: [[B, 5]] }));
    route(stats(B, 2, 1, { recvFrom: [[A, 1, 5, 5]] }));
    expect(books.stats().reconciled).toMatchObject({ ok: true, pairs: 2, nodes: 2 });
    expect(books.ledger.nodes.get(A)?.current).toBe(1);
  });
});
