import { describe, expect, it } from "vitest";
import { compactCount, latency, nodeLabel, rememberSlots, shortName } from "./format";

describe("shortName", () => {
  it("shows the replica's short name", () => {
    expect(shortName("n3-ab12cd@127.0.0.1")).toBe("n3");
    expect(shortName("n12-ab12cd@10.0.1.5")).toBe("n12");
  });
  it("keeps names that are not ours readable", () => {
    expect(shortName("node_4f2a@host")).toBe("node_4f2a");
    expect(shortName("*")).toBe("all");
  });
});

describe("short names on Swarm (one Erlang name per service, told apart by slot)", () => {
  it("uses the node's slot, and remembers it for names seen alone (timeline, events)", () => {
    const name = "n-ab12cd@10.0.1.7";
    expect(nodeLabel({ name, slot: 3 })).toBe("n3");
    expect(nodeLabel({ name, slot: null })).toBe("n@10.0.1.7");
    expect(shortName("n-ab12cd@10.0.1.8")).toBe("n@10.0.1.8");
    rememberSlots([{ name: "n-ab12cd@10.0.1.8", slot: 4 }]);
    expect(shortName("n-ab12cd@10.0.1.8")).toBe("n4");
  });
});

describe("latency", () => {
  it("picks a unit a room can read", () => {
    expect(latency(0.044)).toBe("44 µs");
    expect(latency(3.456)).toBe("3.46 ms");
    expect(latency(1530)).toBe("1.53 s");
    expect(latency(null)).toBe("—");
  });
});

describe("compactCount", () => {
  it("is exact below 100,000, three significant digits from there", () => {
    expect([0, 4730, 99_999, 100_000, 123_456, 1_234_567, 422_381_000].map(compactCount)).toEqual(["0", "4,730", "99,999", "100K", "123K", "1.23M", "422M"]);
  });
});
