import { describe, expect, it } from "vitest";
import { HostCuts } from "./host-cuts";

describe("HostCuts", () => {
  it("gives a gap touching a node of a cut host the reason partition, also after the heal", () => {
    const cuts = new HostCuts(400);
    cuts.note("w1", ["a@10.0.0.2", "b@10.0.0.3"], true, 1000);
    expect(cuts.reason("c@10.0.0.4", "a@10.0.0.2", 900)).toBe("partition");
    cuts.note("w1", [], false, 2000);
    expect(cuts.reason("a@10.0.0.2", "c@10.0.0.4", 1500)).toBe("partition"); // seen after the heal
    expect(cuts.reason("a@10.0.0.2", "c@10.0.0.4", 2300)).toBe("partition"); // links the cut doomed end ticks after the heal
    expect(cuts.reason("a@10.0.0.2", "c@10.0.0.4", 2500)).toBeNull(); // a gap since well after the heal
    expect(cuts.reason("c@10.0.0.4", "d@10.0.0.5", 900)).toBeNull(); // neither node was cut off
  });
});
