import { describe, expect, it } from "vitest";
import { hostPairSection } from "./export-hosts";
import type { MessageGroup } from "./store/export-reader";

const g = (from: string, to: string, status: MessageGroup["status"], n: number): MessageGroup => ({ from, to, status, seed: false, n, first: 1, last: 2 });
const hostOf = (node: string) => ({ a1: "vm", a2: "vm", b1: "swarmscope-host1" })[node];

describe("hostPairSection", () => {
  it("counts messages per sender host → receiver host, marking the pairs across hosts", () => {
    const out = hostPairSection([g("a1", "b1", "acked", 5), g("a1", "b1", "lost", 2), g("a1", "a2", "acked", 3), g("b1", "a1", "sent", 1), g("gone", "a1", "received", 1)], hostOf);
    expect(out[0]).toBe("## Traffic by host pair");
    expect(out).toContain("| `swarmscope-host1` | `vm` (across) | 1 | 0 | 0 | 1 | 0 | holds |");
    expect(out).toContain("| `vm` | `swarmscope-host1` (across) | 7 | 5 | 2 | 0 | 0 | holds |");
    expect(out).toContain("| `vm` | `vm` | 3 | 3 | 0 | 0 | 0 | holds |");
    expect(out).toContain("| (host not known) | `vm` (across) | 1 | 1 | 0 | 0 | 0 | holds |");
  });

  it("says nothing when every node ran on one host", () => {
    expect(hostPairSection([g("a1", "a2", "acked", 3), g("stranger", "a1", "received", 1)], hostOf)).toEqual([]);
  });
});
