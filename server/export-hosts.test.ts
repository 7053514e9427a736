import { describe, expect, it } from "vitest";
import type { PairProgressDTO } from "../lib/contracts/http-replies";
import { hostPairSection } from "./export-hosts";

let id = 0;
const p = (from: string, to: string, c: Partial<PairProgressDTO>): PairProgressDTO => ({ pair: ++id, from, to, sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, ...c });
const hostOf = (node: string) => ({ a1: "vm", a2: "vm", b1: "swarmscope-host1" })[node];

describe("hostPairSection", () => {
  it("sums the pairs' books per sender host → receiver host, marking the pairs across hosts", () => {
    const out = hostPairSection(
      [
        p("a1", "b1", { sent: 7, received: 5, acked: 5, lost: 2 }),
        p("a1", "a2", { sent: 3, received: 3, acked: 3 }),
        p("b1", "a1", { sent: 1, inFlight: 1 }),
        p("gone", "a1", { sent: 1, received: 1 }),
      ],
      hostOf,
    );
    expect(out[0]).toBe("## Traffic by host pair");
    expect(out).toContain("| `swarmscope-host1` | `vm` (across) | 1 | 0 | 0 | 1 | holds |");
    expect(out).toContain("| `vm` | `swarmscope-host1` (across) | 7 | 5 | 2 | 0 | holds |");
    expect(out).toContain("| `vm` | `vm` | 3 | 3 | 0 | 0 | holds |");
    expect(out).toContain("| (host not known) | `vm` (across) | 1 | 1 | 0 | 0 | holds |");
  });

  it("says when a host pair's books do not add up", () => {
    const out = hostPairSection([p("a1", "b1", { sent: 5, received: 3 })], hostOf);
    expect(out).toContain("| `vm` | `swarmscope-host1` (across) | 5 | 3 | 0 | 0 | **does not hold** |");
  });

  it("says nothing when every node ran on one host", () => {
    expect(hostPairSection([p("a1", "a2", { sent: 3, received: 3 }), p("stranger", "a1", { sent: 1 })], hostOf)).toEqual([]);
  });
});
