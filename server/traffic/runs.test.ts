import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClusterEventDTO, TrafficRunDTO } from "../../lib/contracts/http-replies";
import type { BridgeCommand } from "../bridge/protocol";
import { TrafficRuns } from "./runs";

const A = "n1-x@127.0.0.1";
const B = "n2-x@127.0.0.1";
const C = "n3-x@127.0.0.1";

function setup(opts: { bridgeUp?: boolean } = {}) {
  const sent: BridgeCommand[] = [];
  const events: Omit<ClusterEventDTO, "at">[] = [];
  const pushes: TrafficRunDTO[] = [];
  const runs = new TrafficRuns({
    send: (cmd) => {
      sent.push(cmd);
      return opts.bridgeUp ?? true;
    },
    record: (e) => events.push(e),
    shortName: (n) => n.split("-")[0]!,
    progressMs: 250,
  });
  runs.on("progress", (t) => pushes.push(t));
  return { runs, sent, events, pushes };
}

describe("TrafficRuns", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts one generator per sending node, running, and says so at once", () => {
    const { runs, sent, events, pushes } = setup();
    const t = runs.start({ pattern: "ring", rounds: 5 }, [A, B, C]);
    expect(t).toMatchObject({ state: "running", pattern: "ring", expected: 15, generators: 3, done: 0, sent: 0, endedAt: null, startedAt: 1_000_000 });
    expect(t.pending).toEqual([A, B, C]);
    expect(sent.map((c) => c.t === "traffic" && c.node)).toEqual([A, B, C]);
    expect(events.map((e) => e.text)).toEqual(["traffic ring started: 15 messages from 3 nodes"]);
    expect(pushes).toEqual([t]);
    expect(runs.current()).toEqual(t);
  });

  it("counts the run's messages live, and pushes progress at most every 250 ms", () => {
    const { runs, pushes } = setup();
    const t = runs.start({ pattern: "random", rounds: 1000 }, [A, B]);
    pushes.length = 0;
    for (let i = 1; i <= 600; i++) {
      runs.onRunSent(t.run, i % 2 ? A : B, 1);
      runs.onRunSent("t-other-run", A, 1); // a message of another run
      runs.onRunSent(t.run, C, 1); // a node with no generator in this run
      if (i % 100 === 0) vi.advanceTimersByTime(50);
    }
    expect(runs.current()?.sent).toBe(600);
    vi.advanceTimersByTime(250);
    expect(pushes.length).toBeGreaterThanOrEqual(1);
    expect(pushes.length).toBeLessThanOrEqual(2); // 300 ms of sends, then the last one
    expect(pushes.at(-1)).toMatchObject({ state: "running", sent: 600 });
    vi.advanceTimersByTime(10_000);
    expect(pushes.length).toBeLessThanOrEqual(2); // nothing moved: nothing pushed
  });

  it("finishes when every generator has reported, with their own totals kept apart", () => {
    const { runs, events, pushes } = setup();
    const t = runs.start({ pattern: "ring", rounds: 2 }, [A, B]);
    runs.onRunSent(t.run, A, 2);
    runs.onRunSent(t.run, B, 2);
    vi.advanceTimersByTime(1500);
    runs.onGeneratorDone(t.run, A, 2);
    runs.onGeneratorDone(t.run, A, 2); // repeated: counted once
    runs.onGeneratorDone("t-older-run", B, 9); // another run's: ignored
    expect(runs.current()).toMatchObject({ state: "running", done: 1, pending: [B] });
    runs.onGeneratorDone(t.run, B, 2);
    const end = runs.current()!;
    expect(end).toMatchObject({ state: "finished", done: 2, generators: 2, sent: 4, reported: 4, endedAt: 1_001_500, pending: [] });
    expect(pushes.at(-1)).toEqual(end); // pushed at once, not after the interval
    expect(events.at(-1)?.text).toBe("traffic ring finished: 4 sent in 1.50 s");
  });

  it("a stopped run is stopped, not finished, and stays so when its generators report afterwards", () => {
    const { runs, sent, events, pushes } = setup();
    const t = runs.start({ pattern: "storm", rate: 100, durationS: 60 }, [A, B]);
    runs.onRunSent(t.run, A, 1);
    vi.advanceTimersByTime(2000);
    const stopped = runs.stop();
    expect(stopped).toMatchObject({ state: "stopped", endedAt: 1_002_000, sent: 1, done: 0 });
    expect(sent.at(-1)).toEqual({ t: "traffic_stop", run: t.run });
    expect(events.at(-1)?.text).toBe("traffic storm stopped after 1 of 6000 messages");
    expect(pushes.at(-1)).toEqual(stopped);
    runs.onRunSent(t.run, B, 1); // the last sends in flight when it stopped still count
    runs.onGeneratorDone(t.run, A, 1);
    runs.onGeneratorDone(t.run, B, 1);
    expect(runs.current()).toMatchObject({ state: "stopped", endedAt: 1_002_000, done: 2, sent: 2, reported: 2 });
    expect(events.some((e) => /finished/.test(e.text))).toBe(false);
  });

  it("stopping with nothing running is a 404 that sends and logs nothing", () => {
    const { runs, sent, events } = setup();
    expect(() => runs.stop()).toThrow(expect.objectContaining({ status: 404, message: "no traffic run is running" }));
    const t = runs.start({ pattern: "one", from: A, to: B }, [A, B]);
    runs.onGeneratorDone(t.run, A, 1);
    const before = { sent: sent.length, events: events.length };
    expect(() => runs.stop()).toThrow(expect.objectContaining({ status: 404 }));
    expect({ sent: sent.length, events: events.length }).toEqual(before);
    expect(runs.current()?.state).toBe("finished");
  });

  it("a new run stops the one still going", () => {
    const { runs, sent } = setup();
    const first = runs.start({ pattern: "ring", rounds: 100 }, [A, B]);
    vi.advanceTimersByTime(1);
    const second = runs.start({ pattern: "broadcast", from: A }, [A, B]);
    expect(second.run).not.toBe(first.run);
    expect(sent.filter((c) => c.t === "traffic_stop")).toEqual([{ t: "traffic_stop", run: first.run }]);
    runs.onGeneratorDone(first.run, A, 50); // the old run's report does not touch the new run
    expect(runs.current()).toMatchObject({ run: second.run, state: "running", done: 0 });
  });

  it("a node going down ends its generator; the bridge going down ends them all", () => {
    const { runs, events } = setup();
    const t = runs.start({ pattern: "ring", rounds: 10 }, [A, B, C]);
    runs.onNodeDown(C);
    expect(runs.current()).toMatchObject({ state: "running", done: 1, pending: [A, B] });
    expect(events.at(-1)).toMatchObject({ node: C, text: "traffic generator on n3 ended: its node went down" });
    runs.onBridgeDown();
    expect(runs.current()).toMatchObject({ run: t.run, state: "finished", done: 3, pending: [], reported: 0 });
  });

  it("a stop the bridge cannot pass on says so in the log", () => {
    const { runs, events } = setup({ bridgeUp: false });
    runs.start({ pattern: "ring" }, [A, B]);
    runs.stop();
    expect(events.map((e) => e.text)).toContain("traffic ring: the bridge is down, its generators could not be told to stop");
    expect(runs.current()?.state).toBe("stopped");
  });
});
