import { describe, expect, it } from "vitest";
import type { Replica } from "../runtime/types";
import { type ErlangNode, replicaFlags, replicaStatus, strangersOf } from "./node-status";

const replica = (state: string): Replica => ({ id: "n1", slot: 1, state, host: "h", restarts: 0, nodeName: "n1@h" });
const up: ErlangNode = { status: "up", since: 100, links: [] };
const down: ErlangNode = { status: "down", since: 100, links: [] };

describe("node status rules", () => {
  it("up with its node; starting while the replica runs or comes; down stays down until a new start", () => {
    expect(replicaStatus(replica("running"), up, 0)).toBe("up");
    expect(replicaStatus(replica("running"), undefined, 0)).toBe("starting");
    expect(replicaStatus(replica("preparing"), undefined, 0)).toBe("starting");
    expect(replicaStatus(replica("failed"), undefined, 0)).toBe("down");
    expect(replicaStatus(replica("running"), down, 50)).toBe("down");
    expect(replicaStatus(replica("running"), down, 150)).toBe("starting");
  });

  it("flags a replica running past the grace with no node (only while the bridge is up), and a node up whose replica is not running", () => {
    expect(replicaFlags(replica("running"), undefined, 21_000, 20_000, true)).toEqual(["replica running for 21 s, Erlang node never joined"]);
    expect(replicaFlags(replica("running"), undefined, 21_000, 20_000, false)).toEqual([]);
    expect(replicaFlags(replica("running"), undefined, 19_000, 20_000, true)).toEqual([]);
    expect(replicaFlags(replica("shutdown"), up, 0, 20_000, true)).toEqual(["Erlang node up, but the runtime says the replica is shutdown"]);
  });

  it("a stranger is a node in the links of nodes up that nobody knows, with who it reached", () => {
    const erlang = new Map<string, ErlangNode>([
      ["n1@h", { ...up, links: ["n2@h", "me@x"] }],
      ["n2@h", { ...up, links: ["n1@h", "me@x"] }],
      ["n3@h", { ...down, links: ["other@y"] }],
    ]);
    expect(strangersOf(erlang, (n) => erlang.has(n))).toEqual([{ name: "me@x", host: "x", links: ["n1@h", "n2@h"] }]);
  });
});
