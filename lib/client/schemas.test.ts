import { describe, expect, it } from "vitest";
import { clusterSchema, parseMessages } from "./schemas";

describe("payload checks", () => {
  it("drops only the malformed messages of a batch", () => {
    const ok = { id: "a", from: "n1@h", to: "n2@h", content: "hi", status: "sent", sentAt: 1 };
    const out = parseMessages([ok, { id: 3 }, null]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ id: "a", receivedAt: null, latencyMs: null, seed: false });
  });

  it("fills missing cluster details instead of failing", () => {
    const c = clusterSchema.parse({ runtime: "local", nodes: [{ name: "n1-x@127.0.0.1" }] });
    expect(c.bridge.status).toBe("down");
    expect(c.progress).toBeNull();
    expect(c.nodes[0]).toMatchObject({ status: "starting", links: [], flags: [], replica: null });
  });
});
