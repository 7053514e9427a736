import { describe, expect, it } from "vitest";
import type { NodeDTO } from "../contracts/http-replies";
import { meshProgress } from "./mesh";

const node = (name: string, links: string[], status: NodeDTO["status"] = "up") => ({ name, links, status }) as NodeDTO;

describe("meshProgress", () => {
  it("counts each link between up nodes once, against the full mesh of the up nodes", () => {
    const nodes = [node("a", ["b", "c"]), node("b", ["a", "c"]), node("c", ["a", "b"]), node("d", [])];
    expect(meshProgress(nodes)).toEqual({ links: 3, full: 6 });
  });

  it("a link one end reports and the other not yet does not count; down nodes and strangers are left out", () => {
    const nodes = [node("a", ["b", "x@stranger", "d"]), node("b", []), node("d", ["a"], "down")];
    expect(meshProgress(nodes)).toEqual({ links: 0, full: 1 });
  });

  it("no nodes, one node: nothing to mesh", () => {
    expect(meshProgress([])).toEqual({ links: 0, full: 0 });
    expect(meshProgress([node("a", [])])).toEqual({ links: 0, full: 0 });
  });
});
