import { describe, expect, it } from "vitest";
import type { ClusterDTO, StatsDTO } from "../lib/contracts/http-replies";
import { buildReport, nodeLives, RECEIVED_LINE, type ReportInput } from "./export-report";
import { addToTally, emptyTally, perNodeDiffs, type Tally } from "./export-tally";
import type { ExportBooks } from "./store/export-reader";

const cluster: ClusterDTO = {
  runtime: "local",
  deploymentId: "abc123",
  desiredReplicas: 3,
  strangers: [],
  nodes: ["n1", "n2", "n3"].map((s, i) => ({
    name: `${s}-abc123@127.0.0.1`, status: i === 2 ? "down" : "up", host: "127.0.0.1", slot: i + 1, links: [], sent: 0, received: 0,
    replica: null, flags: [], since: 0,
  })),
  bridge: { status: "up", node: "bridge-abc123@127.0.0.1" },
  progress: null,
  runtimeStatus: { ready: true },
  hosts: [],
};

const stats = (over: Partial<StatsDTO> = {}): StatsDTO => ({
  sent: 10, received: 8, acked: 7, lost: 1, inFlight: 1, failed: 1, perNode: {}, latencyMs: { p50: 1, p95: 2, p99: 3 },
  latencyByKind: { "one-way": { p50: 1, p95: 2, p99: 3 }, "half-rtt": { p50: null, p95: null, p99: null } },
  reconciled: { ok: true, pairs: 6, nodes: 3, mismatches: [] }, store: { ok: true, since: 0, lastError: null, waiting: 0 }, at: 0, ...over,
});

const tallied = (rows: [string, Parameters<typeof addToTally>[1], number, boolean?][]): Tally => {
  const t = emptyTally();
  for (const [, status, n, seed] of rows) addToTally(t, status, n, seed);
  return t;
};

/** The books of input(): n1 sent 7 acked, 1 lost, 1 in flight; n2 one failed; a stranger's seed message. */
function books(): ExportBooks {
  const n1 = "n1-abc123@127.0.0.1";
  const rows: [string, Parameters<typeof addToTally>[1], number, boolean?][] = [
    [n1, "acked", 7], [n1, "lost", 1], [n1, "sent", 1], ["n2-abc123@127.0.0.1", "failed", 1], ["stranger@127.0.0.1", "received", 1, true],
  ];
  const bySender = new Map<string, Tally>();
  for (const r of rows) bySender.set(r[0], addToTally(bySender.get(r[0]) ?? emptyTally(), r[1], r[2], r[3]));
  return {
    tally: tallied(rows),
    bySender,
    inbound: new Map([["n2-abc123@127.0.0.1", 7], ["n1-abc123@127.0.0.1", 1]]),
    span: { first: 1, last: 9 },
  };
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    generatedAt: Date.UTC(2025, 0, 1),
    deployment: "abc123",
    range: {},
    cluster,
    stats: stats(),
    books: books(),
    pairs: [],
    latency: [{ kind: "one-way", summary: { count: 7, p50: 0.044, p95: 0.2, p99: 0.272, max: 12.5 } }],
    lost: [{ reason: "receiver_down (connection_closed)", n: 1, examples: [{ id: "m9", from: "n1-abc123@127.0.0.1", to: "n3-abc123@127.0.0.1", sentAt: 5, createdAt: 5 }] }],
    failed: [{ reason: "sender could not send: not_connected", n: 1, examples: [] }],
    seed: [{ from: "stranger@127.0.0.1", to: "n1-abc123@127.0.0.1", n: 1, first: 1, last: 1, example: "hi | there" }],
    nodeEvents: [
      { at: 1, kind: "nodeup", node: "n1-abc123@127.0.0.1", text: "n1 joined" },
      { at: 2, kind: "nodeup", node: "n3-abc123@127.0.0.1", text: "n3 joined" },
      { at: 3, kind: "nodedown", node: "n3-abc123@127.0.0.1", text: "n3 down (connection_closed)" },
    ],
    activity: [{ at: 0, kind: "deploy", text: "deploy/scale to 3 requested" }],
    ...over,
  };
}

describe("export books", () => {
  it("count like /api/stats: received includes acked, failed and pending are not sent", () => {
    expect(books().tally).toEqual({ sent: 10, received: 8, acked: 7, lost: 1, inFlight: 1, failed: 1, pending: 0, seedReceived: 1, rows: 11 });
    expect(tallied([["x", "pending", 2]])).toMatchObject({ sent: 0, pending: 2, rows: 2 });
    expect(books().bySender.get("n1-abc123@127.0.0.1")).toMatchObject({ sent: 9, received: 7, lost: 1, inFlight: 1 });
  });
});

describe("buildReport", () => {
  it("states the deployment, the counts, the checked invariant and the received line", () => {
    const md = buildReport(input());
    expect(md).toContain("deployment `abc123`");
    expect(md).toContain("Runtime **local**");
    expect(md).toContain(RECEIVED_LINE);
    expect(md).toContain("| sent | 10 |");
    expect(md).toContain("| received | 8 |");
    expect(md).toContain("| lost | 1 |");
    expect(md).toContain("| in flight | 1 |");
    expect(md).toContain("| failed | 1 |");
    expect(md).toContain("sent = received + lost + in flight: 10 = 8 + 1 + 1 — **holds**.");
    expect(md).toContain("Per sender: holds for all 3.");
    expect(md).toContain("The live counters (/api/stats) at the same instant agree");
    expect(md).toContain("- 7 received message(s), latency one way, sender and receiver on the same host");
    expect(md).toContain("p50 0.044 ms, p95 0.200 ms, p99 0.272 ms, max 12.50 ms");
    expect(md).not.toContain("half the acked round trip");
    expect(md).toContain("1 × receiver\\_down \\(connection\\_closed\\) — e.g. `m9` n1 → n3");
    expect(md).toContain("Balanced: at each node's latest stats, 6 pair(s) of 3 node(s) matched what the nodes themselves counted");
    expect(md).toContain("`stranger@127.0.0.1` (stranger)");
    expect(md).toContain("hi \\| there");
    expect(md).toContain("1970-01-01T00:00:00.003Z; connection\\_closed");
  });

  it("says so plainly when the stored rows and the live counters disagree", () => {
    const md = buildReport(input({ stats: stats({ sent: 11, inFlight: 2 }) }));
    expect(md).toContain("**The live counters (/api/stats) at the same instant disagree with the stored books** on sent, inFlight");
    expect(buildReport(input({ range: { since: 5 } }))).toContain("Range export");
    const perNode = { "n1-abc123@127.0.0.1": { sent: 9, received: 7, acked: 7, lost: 1, inFlight: 1 }, "stranger@127.0.0.1": { sent: 1, received: 1, acked: 0, lost: 0, inFlight: 0 } };
    expect(buildReport(input({ stats: stats({ perNode }) }))).not.toContain("Per node, the live counters disagree");
    const skewed = buildReport(input({ stats: stats({ perNode: { ...perNode, "n1-abc123@127.0.0.1": { ...perNode["n1-abc123@127.0.0.1"], inFlight: 2, sent: 10 } } }) }));
    expect(skewed).toContain("**Per node, the live counters disagree with the stored books** for 1 node(s): `n1-abc123@127.0.0.1` sent live 10 / stored 9.");
  });

  it("claims no latency, loss or seed message that is not there", () => {
    const none: ExportBooks = { tally: emptyTally(), bySender: new Map(), inbound: new Map(), span: { first: null, last: null } };
    const md = buildReport(input({ books: none, latency: [], lost: [], failed: [], seed: [] }));
    expect(md).toContain("No received message has a measured latency");
    expect(md).toContain("None: no message was reported lost");
    expect(md).toContain("None: no node reported a plain");
    expect(md).toContain("0 = 0 + 0 + 0 — **holds**");
  });

  it("keeps one-way and half-round-trip latencies apart", () => {
    const md = buildReport(
      input({
        latency: [
          { kind: "one-way", summary: { count: 3, p50: 0.05, p95: 0.1, p99: 0.1, max: 0.1 } },
          { kind: "half-rtt", summary: { count: 4, p50: 0.4, p95: 0.9, p99: 0.9, max: 0.9 } },
        ],
      }),
    );
    expect(md).toContain("- 3 received message(s), latency one way");
    expect(md).toContain("- 4 received message(s), latency half the acked round trip, sender and receiver on different hosts");
  });

  it("fits on a page", () => {
    expect(buildReport(input()).split("\n").length).toBeLessThan(80);
  });
});

describe("nodeLives", () => {
  it("merges join and leave events with the nodes known now", () => {
    const lives = nodeLives(cluster, input().nodeEvents);
    expect(lives.map((l) => [l.name.slice(0, 2), l.now, l.joins.length, l.leaves.length])).toEqual([
      ["n1", "up", 1, 0],
      ["n2", "up", 0, 0],
      ["n3", "down", 1, 1],
    ]);
  });
});

describe("perNodeDiffs", () => {
  it("names nodes missing on either side", () => {
    const stored = new Map([["a", addToTally(emptyTally(), "acked", 2)]]);
    expect(perNodeDiffs({ c: { sent: 1, received: 1, acked: 0, lost: 0, inFlight: 0 } }, stored)).toEqual([
      { node: "a", key: "sent", live: 0, stored: 2 },
      { node: "c", key: "sent", live: 1, stored: 0 },
    ]);
  });
});

describe("reconciliation in the report", () => {
  it("names each mismatch the nodes' counters showed", () => {
    const mismatches = [{ from: "n1-abc123@127.0.0.1", to: "n2-abc123@127.0.0.1", field: "received" as const, dashboard: 9, node: 10 }];
    const md = buildReport(input({ stats: stats({ reconciled: { ok: false, pairs: 6, nodes: 3, mismatches } }) }));
    expect(md).toContain("**1 difference(s)** between the dashboard's books and the nodes' own counters");
    expect(md).toContain("- n1 → n2 received: dashboard 9, node 10");
  });
});
