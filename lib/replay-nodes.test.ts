import { describe, expect, it } from "vitest";
import { applyNodeEvent, emptyNodes, nodeList } from "./replay-nodes";

const n = (i: number) => `n${i}-ab12cd@127.0.0.1`;
const ev = (at: number, kind: string, text: string, node?: string) => ({ at, kind, text, ...(node ? { node } : {}) });

describe("nodes from the stored events", () => {
  it("joins, downs with their reason, a lost bridge, a scale down and a removal", () => {
    const st = emptyNodes();
    applyNodeEvent(st, ev(1, "deploy", "deploy/scale to 3 requested"));
    expect(applyNodeEvent(st, ev(2, "replica", "n1 starting", n(1)))).toBe(true);
    for (const i of [1, 2, 3]) applyNodeEvent(st, ev(3, "nodeup", `n${i} joined`, n(i)));
    expect(applyNodeEvent(st, ev(4, "replica", "n1 running", n(1)))).toBe(false); // up already
    applyNodeEvent(st, ev(5, "nodedown", "n2 down (killed)", n(2)));
    expect(nodeList(st).map((x) => [x.name, x.status, x.downReason])).toEqual([[n(1), "up", undefined], [n(2), "down", "killed"], [n(3), "up", undefined]]);
    applyNodeEvent(st, ev(6, "bridge", "bridge down: exited"));
    expect(nodeList(st).every((x) => x.status === "down")).toBe(true);
    expect(applyNodeEvent(st, ev(7, "bridge", "bridge up"))).toBe(false);
    for (const i of [1, 2, 3]) applyNodeEvent(st, ev(8, "nodeup", `n${i} joined`, n(i)));
    applyNodeEvent(st, ev(9, "deploy", "deploy/scale to 2 requested"));
    applyNodeEvent(st, ev(10, "nodedown", "n3 down (stopped)", n(3)));
    expect(nodeList(st).map((x) => x.name)).toEqual([n(1), n(2)]); // scaled away: gone, as live
    applyNodeEvent(st, ev(11, "deploy", "remove requested"));
    for (const i of [1, 2]) applyNodeEvent(st, ev(12, "nodedown", `n${i} down (stopped)`, n(i)));
    expect(nodeList(st)).toEqual([]);
    expect(st.desired).toBe(0);
  });
});
