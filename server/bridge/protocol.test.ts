import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planTraffic } from "../traffic/plan";
import { bridgeCommand, discoverCommand, trafficCommand } from "./protocol";

/** The JSON lines of the "Server → bridge" example block of erlang/PROTOCOL.md. */
function documentedCommands(): unknown[] {
  const doc = fs.readFileSync(path.join(import.meta.dirname, "../../erlang/PROTOCOL.md"), "utf8");
  const section = doc.slice(doc.indexOf("Server → bridge:"));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block.trim().split("\n").map((l) => JSON.parse(l) as unknown);
}

describe("bridge command schemas", () => {
  it("accept every command erlang/PROTOCOL.md documents", () => {
    const cmds = documentedCommands();
    expect(cmds.map((c) => (c as { t: string }).t)).toEqual(["discover", "discover", "send", "get", "ping", "traffic", "traffic_stop"]);
    for (const c of cmds) expect(bridgeCommand.safeParse(c).error).toBeUndefined();
  });

  it("reject a command the bridge would refuse", () => {
    expect(bridgeCommand.safeParse({ t: "send", id: "m1", from: "n1@h", to: "n2@h" }).success).toBe(false);
    expect(bridgeCommand.safeParse({ t: "launch" }).success).toBe(false);
    expect(discoverCommand.safeParse({ t: "discover", mode: "dns", host: "127.0.0.1", deployment: "x" }).success).toBe(false);
  });

  it("describe what planTraffic sends for every pattern", () => {
    const up = ["n1-x@h", "n2-x@h", "n3-x@h"];
    for (const pattern of ["one", "broadcast", "ring", "random", "storm"] as const) {
      for (const c of planTraffic({ pattern, rate: 30, durationS: 1 }, up, "t1").commands) {
        expect(trafficCommand.safeParse(c).error, pattern).toBeUndefined();
      }
    }
  });
});
