import { describe, expect, it } from "vitest";
import type { ClusterDTO, NodeDTO } from "./http-replies";
import { type ClusterPush, clusterPushSchema, linkSparing, liveCluster } from "./socket";

const node = (i: number, links: string[], sent = 0): NodeDTO => ({
  name: `n${i}-ab12cd@127.0.0.1`, status: "up", host: "127.0.0.1", slot: i, links, sent, received: 0, replica: null, flags: [], since: 1,
});

const view = (nodes: NodeDTO[]): ClusterDTO => ({
  runtime: "local",
  deploymentId: "ab12cd",
  desiredReplicas: nodes.length,
  strangers: [],
  nodes,
  bridge: { status: "up", node: "bridge-ab12cd@127.0.0.1" },
  progress: null,
  runtimeStatus: { ready: true },
  hosts: [],
});

/** What a socket.io client gets: the push as JSON, checked against the event's schema. */
const wire = (p: ClusterPush): ClusterPush => clusterPushSchema.parse(JSON.parse(JSON.stringify(p)));

const [a, b, c] = ["n1-ab12cd@127.0.0.1", "n2-ab12cd@127.0.0.1", "n3-ab12cd@127.0.0.1"];

describe("cluster pushes that leave out unchanged links", () => {
  it("sends a node's links only when they changed since the last push, and the page rebuilds each view whole", () => {
    const spare = linkSparing();
    const views = [
      view([node(1, [b]), node(2, [a])]),
      view([node(1, [b], 5), node(2, [a], 3)]), // counters moved, links did not
      view([node(1, [b, c], 6), node(2, [a]), node(3, [a])]), // n1 gained a link, n3 is new
      view([node(1, [c]), node(2, [a]), node(3, [])]), // links lost
    ];
    let page: ClusterDTO | undefined;
    const sentLinks: number[] = [];
    for (const v of views) {
      const got = wire(spare.push(v));
      sentLinks.push(got.nodes.filter((n) => n.links !== undefined).length);
      page = liveCluster(got, page);
      expect(page).toEqual(v);
    }
    expect(sentLinks).toEqual([2, 0, 2, 2]);
  });

  it("keeps the page's arrays for links left out, so the graph sees them unchanged", () => {
    const spare = linkSparing();
    const first = liveCluster(wire(spare.push(view([node(1, [b]), node(2, [a])]))), undefined);
    const next = liveCluster(wire(spare.push(view([node(1, [b], 9), node(2, [a], 9)]))), first);
    expect(next.nodes[0]!.links).toBe(first.nodes[0]!.links);
    expect(next.nodes[0]!.sent).toBe(9);
  });

  it("pushes whole after forget(): a connection's first view is never told 'the same' against a push it missed", () => {
    const spare = linkSparing();
    spare.push(view([node(1, [b]), node(2, [a])]));
    spare.forget();
    const got = wire(spare.push(view([node(1, [b]), node(2, [a])])));
    expect(got.nodes.every((n) => n.links !== undefined)).toBe(true);
    // A node the page never saw, its links left out (a bug elsewhere): no links, not a crash.
    expect(liveCluster({ ...got, nodes: [{ ...got.nodes[0]!, links: undefined }] }, undefined).nodes[0]!.links).toEqual([]);
  });
});
