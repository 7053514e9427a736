import { describe, expect, it } from "vitest";
import type { HostRegion, NodePlace } from "./layout";
import { BUNDLE_ABOVE, countLinks, groupByHosts, linksOf, linkStroke, type PathSink, PULL, traceLink } from "./link-paths";

function recorder() {
  const ops: [string, ...number[]][] = [];
  const sink: PathSink = {
    moveTo: (...a) => void ops.push(["M", ...a]),
    lineTo: (...a) => void ops.push(["L", ...a]),
    quadraticCurveTo: (...a) => void ops.push(["Q", ...a]),
    bezierCurveTo: (...a) => void ops.push(["C", ...a]),
  };
  return { ops, sink };
}

const place = (x: number, y: number): NodePlace => ({ x, y, r: 9, angle: 0, labelInside: false });
const region = (host: string, cx: number, cy: number): HostRegion => ({ key: host, host, x: 0, y: 0, w: 0, h: 0, count: 0, up: 0, cx, cy });

describe("link paths", () => {
  const h1 = region("h1", 0, 0);
  const h2 = region("h2", 1000, 0);

  it("draws a straight line when not bundled", () => {
    const { ops, sink } = recorder();
    traceLink(sink, place(-100, 0), place(100, 0), h1, h1, false);
    expect(ops).toEqual([["M", -100, 0], ["L", 100, 0]]);
  });

  it("bows a link inside one host through the middle of its rings", () => {
    const { ops, sink } = recorder();
    traceLink(sink, place(-100, -100), place(100, -100), h1, h1, true);
    const [, q] = ops;
    expect(q![0]).toBe("Q");
    expect(q![1]).toBeCloseTo(0);
    expect(q![2]).toBeCloseTo(-100 * (1 - PULL)); // pulled from the chord's middle towards the centre
    expect(q!.slice(3)).toEqual([100, -100]);
  });

  it("runs a link between hosts through both hosts' centres", () => {
    const { ops, sink } = recorder();
    traceLink(sink, place(100, 0), place(900, 0), h1, h2, true);
    const [, c] = ops;
    expect(c![0]).toBe("C");
    expect(c![1]).toBeCloseTo(100 * (1 - PULL));
    expect(c![3]).toBeCloseTo(1000 - 100 * (1 - PULL));
  });

  it("counts links inside each host and between hosts", () => {
    const hostOf = (n: string) => (n.startsWith("a") ? "h1" : "h2");
    const edges: [string, string][] = [
      ["a1", "a2"],
      ["a1", "b1"],
      ["b1", "a2"],
      ["b1", "b2"],
      ["b2", "b3"],
    ];
    const counts = countLinks(edges, hostOf).sort((x, y) => `${x.a}${x.b}`.localeCompare(`${y.a}${y.b}`));
    expect(counts).toEqual([
      { a: "h1", b: "h1", count: 1 },
      { a: "h1", b: "h2", count: 2 },
      { a: "h2", b: "h2", count: 2 },
    ]);
    expect([...groupByHosts(edges, hostOf).keys()]).toHaveLength(3);
  });

  it("picks the selected node's links", () => {
    const edges: [string, string][] = [["a", "b"], ["b", "c"], ["c", "d"]];
    expect(linksOf(edges, "b")).toEqual([["a", "b"], ["b", "c"]]);
    expect(linksOf(edges, null)).toEqual([]);
  });

  it("keeps the old opacity ladder up to a full mesh of 50, then fades and thins bundled links", () => {
    expect(linkStroke(10)).toEqual({ opacity: 0.4, width: 1.4 });
    expect(linkStroke(BUNDLE_ABOVE)).toEqual({ opacity: 0.07, width: 1.4 });
    expect(linkStroke(19_900).width).toBeLessThan(1.4);
  });
});
