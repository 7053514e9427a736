import { describe, expect, it } from "vitest";
import type { ClusterDTO } from "../contracts/http-replies";
import { graphNodes, STRANGERS_REGION } from "./strangers";

const cluster = (strangers: ClusterDTO["strangers"]): ClusterDTO => ({
  runtime: "local",
  deploymentId: "ab12cd",
  desiredReplicas: 1,
  nodes: [{ name: "n1-ab12cd@127.0.0.1", status: "up", host: "127.0.0.1", slot: 1, links: ["me@127.0.0.1"], sent: 0, received: 0, replica: null, flags: [], since: 0 }],
  strangers,
  bridge: { status: "up" },
  progress: null,
  hosts: [],
  runtimeStatus: { ready: true },
});

describe("graphNodes", () => {
  it("adds each stranger as an up node of its own region, linked to the replicas it reached", () => {
    const nodes = graphNodes(cluster([{ name: "me@127.0.0.1", host: "127.0.0.1", links: ["n1-ab12cd@127.0.0.1"] }]));
    expect(nodes.map((n) => [n.name, n.host, n.status])).toEqual([
      ["n1-ab12cd@127.0.0.1", "127.0.0.1", "up"],
      ["me@127.0.0.1", STRANGERS_REGION, "up"],
    ]);
    expect(nodes[1]!.links).toEqual(["n1-ab12cd@127.0.0.1"]);
    expect(nodes[1]!.flags[0]).toMatch(/stranger on 127.0.0.1/);
  });

  it("leaves the nodes as they are when no stranger is connected", () => {
    const c = cluster([]);
    expect(graphNodes(c)).toBe(c.nodes);
  });
});
