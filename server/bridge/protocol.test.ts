import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planTraffic } from "../traffic/plan";
import { bridgeCommand, bridgeFrame, discoverCommand, nodeEvent, reportFrame, trafficCommand } from "./protocol";

const doc = fs.readFileSync(path.join(import.meta.dirname, "../../erlang/PROTOCOL.md"), "utf8");

/** The JSON values of the first ```json block after `heading`; a line starting with a space continues the one before. */
function documented(heading: string): unknown[] {
  const section = doc.slice(doc.indexOf(heading));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const lines: string[] = [];
  for (const l of block.split("\n")) {
    if (l.startsWith(" ") && lines.length) lines[lines.length - 1] += l.trim();
    else if (l.trim()) lines.push(l);
  }
  return lines.map((l) => JSON.parse(l) as unknown);
}

describe("bridge command schemas", () => {
  it("accept every command erlang/PROTOCOL.md documents", () => {
    const cmds = documented("### Server → bridge");
    expect(cmds.map((c) => (c as { t: string }).t)).toEqual(["discover", "discover", "send", "get", "ping", "traffic", "traffic_stop", "commit", "fault", "fault", "fault", "seed", "peers", "ticktime"]);
    for (const c of cmds) expect(bridgeCommand.safeParse(c).error).toBeUndefined();
  });

  it("reject a command the bridge would refuse", () => {
    expect(bridgeCommand.safeParse({ t: "send", id: "m1", from: "n1@h", to: "n2@h" }).success).toBe(false);
    expect(bridgeCommand.safeParse({ t: "launch" }).success).toBe(false);
    expect(bridgeCommand.safeParse({ t: "commit", node: "n1@h", inc: -1, upto: 3 }).success).toBe(false);
    expect(bridgeCommand.safeParse({ t: "commit", node: "n1@h", inc: 1, upto: 1.5 }).success).toBe(false);
    expect(discoverCommand.safeParse({ t: "discover", mode: "dns", host: "127.0.0.1", deployment: "x" }).success).toBe(false);
  });

  it("describe what planTraffic sends for every pattern", () => {
    const up = ["n1-x@h", "n2-x@h", "n3-x@h"];
    for (const pattern of ["one", "broadcast", "ring", "random", "storm"] as const) {
      for (const c of planTraffic({ pattern, rate: 30, durationS: 1 }, up, "t1").commands) {
        expect(trafficCommand.safeParse(c).error, pattern).toBeUndefined();
      }
    }
  });
});

describe("bridge frame schemas", () => {
  const frames = documented("### Bridge → server");

  it("accept every frame erlang/PROTOCOL.md documents, and every event of its report", () => {
    expect(frames.map((f) => (f as { t: string }).t)).toEqual(["hello", "nodeup", "nodedown", "links", "report", "stats", "send_failed", "reply", "reply", "log"]);
    for (const f of frames) expect(bridgeFrame.safeParse(f).error).toBeUndefined();
    const report = reportFrame.parse(frames[4]);
    expect(report.sent[0]).toEqual(["n2-…", 1001, 3, 1700000000100000, 1700000000100009, "BAU="]);
    expect(report.events.length).toBeGreaterThanOrEqual(6);
    for (const e of report.events) expect(nodeEvent.safeParse(e).error, JSON.stringify(e)).toBeUndefined();
  });

  it("reject runs of the wrong shape, and a report without an rseq", () => {
    const report = frames[4] as Record<string, unknown>;
    expect(reportFrame.safeParse({ ...report, sent: [["n2@h", 0, 3, 1, 2, null]] }).success).toBe(false); // seq0 starts at 1
    expect(reportFrame.safeParse({ ...report, sent: [["n2@h", 1, 3, 1, 2]] }).success).toBe(false); // 5 elements
    expect(reportFrame.safeParse({ ...report, recv: [["n2@h", 1, 1, 1, 1, 2, 7, null]] }).success).toBe(false); // deltas not base64 text
    expect(reportFrame.safeParse({ ...report, rseq: 0 }).success).toBe(false);
    expect(reportFrame.safeParse({ ...report, inc: 2 ** 60 }).success).toBe(false);
    // An event the server does not know does not cost the report: events are checked one by one.
    expect(reportFrame.safeParse({ ...report, events: [{ e: "from_the_future" }] }).success).toBe(true);
  });
});
