import { describe, expect, it } from "vitest";
import type { NodeDTO } from "../contracts/http-replies";
import { nodesShape } from "./node-shape";

/** n nodes on `hosts` hosts, fully meshed. */
function mesh(n: number, hosts = 1): NodeDTO[] {
  const names = Array.from({ length: n }, (_, i) => `n${i + 1}-ab12cd@127.0.0.1`);
  return names.map((name, i) => ({
    name, status: "up", host: `h${(i % hosts) + 1}`, slot: i + 1, links: names.filter((o) => o !== name),
    sent: 0, received: 0, replica: null, flags: [], since: 0,
  }));
}

describe("the nodes' shape", () => {
  it("keys what the layout and the mesh progress read: counters moving keep the key, a status, host or new links array change it", () => {
    const nodes = mesh(20, 2);
    const key = nodesShape(nodes);
    const counted = nodes.map((n, i) => ({ ...n, sent: n.sent + i, received: 7, since: 99, flags: ["x"] }));
    expect(nodesShape(counted)).toBe(key);
    const down = nodes.map((n, i) => (i === 3 ? { ...n, status: "down" as const } : n));
    expect(nodesShape(down)).not.toBe(key);
    const moved = nodes.map((n, i) => (i === 3 ? { ...n, host: "h9" } : n));
    expect(nodesShape(moved)).not.toBe(key);
    // Links that changed arrive as a new array (liveCluster keeps the array while they do not).
    const relinked = nodes.map((n, i) => (i === 3 ? { ...n, links: n.links.slice(1) } : n));
    expect(nodesShape(relinked)).not.toBe(key);
    expect(nodesShape(nodes, [{ id: "h1", hostname: "one" } as never])).not.toBe(key);
  });
});
