import { describe, expect, it } from "vitest";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { computeLayout } from "./layout";

/** n nodes on `hosts` hosts, fully meshed. */
function mesh(n: number, hosts = 1): NodeDTO[] {
  const names = Array.from({ length: n }, (_, i) => `n${i + 1}-ab12cd@127.0.0.1`);
  return names.map((name, i) => ({
    name,
    status: "up",
    host: `h${(i % hosts) + 1}`,
    slot: i + 1,
    links: names.filter((o) => o !== name),
    sent: 0,
    received: 0,
    replica: null,
    flags: [],
    since: 0,
  }));
}

describe("topology layout", () => {
  it("keeps 5 and 50 nodes on one ring of equal discs, as before", () => {
    for (const n of [5, 50]) {
      const layout = computeLayout(mesh(n), 1000, 560);
      const places = [...layout.places.values()];
      expect(places.every((p) => !p.dense)).toBe(true);
      expect(new Set(places.map((p) => p.r)).size).toBe(1);
      expect(layout.edges).toHaveLength((n * (n - 1)) / 2);
    }
  });

  it("puts 200 nodes on rings where no discs overlap, with a region and centre for each node", () => {
    const layout = computeLayout(mesh(200), 1000, 560);
    const places = [...layout.places.values()];
    expect(places.every((p) => p.dense)).toBe(true);
    expect(layout.edges).toHaveLength(19_900);
    let closest = Infinity;
    for (let i = 0; i < places.length; i++) {
      for (let j = i + 1; j < places.length; j++) closest = Math.min(closest, Math.hypot(places[i]!.x - places[j]!.x, places[i]!.y - places[j]!.y));
    }
    expect(closest).toBeGreaterThan(2 * places[0]!.r);
    const [region] = layout.regions;
    expect(layout.regionOf.get("n7-ab12cd@127.0.0.1")).toBe(region);
    expect(region!.cx).toBeCloseTo(region!.x + region!.w / 2);
  });

  it("gives each host its region and records which node is where", () => {
    const layout = computeLayout(mesh(12, 2), 1200, 560);
    expect(layout.regions.map((r) => r.host).sort()).toEqual(["h1", "h2"]);
    expect(layout.regionOf.get("n2-ab12cd@127.0.0.1")!.host).toBe("h2");
  });
});
