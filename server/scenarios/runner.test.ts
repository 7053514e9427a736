import { describe, expect, it } from "vitest";
import type { ScenarioRunDTO } from "../../lib/contracts/fault-replies";
import type { ScenarioActions } from "./actions";
import { scenarios } from "./library";
import { ScenarioRunner } from "./runner";
import type { Scenario } from "./steps";

function fakeActions(calls: string[], failOn?: string): ScenarioActions {
  const act = (what: string) => async () => {
    calls.push(what);
    if (what === failOn) throw new Error(`${what}: not seen within 30 s`);
    return `${what} ok`;
  };
  return {
    deploy: (n) => act(`deploy ${n}`)(),
    send: (f, t) => act(`send ${f}>${t}`)(),
    broadcast: (f) => act(`broadcast ${f}`)(),
    storm: (r) => act(`storm ${r}`)(),
    fault: (b) => act(`fault ${b.kind} ${(b.nodes ?? []).join(",")}`)(),
    heal: (k) => act(`heal ${k}`)(),
    seed: (f, t) => act(`seed ${f}>${t}`)(),
  };
}

async function finished(r: ScenarioRunner, id: string): Promise<ScenarioRunDTO> {
  for (let i = 0; i < 100 && r.get(id).status === "running"; i++) await new Promise((x) => setTimeout(x, 1));
  return r.get(id);
}

describe("scenario runner", () => {
  it("runs chaos-tour's steps in order, each passed with its detail and caption", async () => {
    const calls: string[] = [];
    const seen: string[] = [];
    const r = new ScenarioRunner(fakeActions(calls), scenarios, async () => {});
    r.on("change", (x) => seen.push(x.steps.map((s) => s.status[0]).join("")));
    const run = await finished(r, r.start("chaos-tour").id);
    expect(run.status).toBe("passed");
    expect(calls).toEqual(["deploy 5", "send n1>n2", "storm 2000", "fault kill n5", "heal kill", "fault freeze n4", "fault partition n1,n2", "heal partition", "heal freeze", "deploy 7"]);
    expect(run.steps.every((s) => s.status === "passed" && s.ms !== null && s.caption.length > 10)).toBe(true);
    expect(seen[0]).toBe("p".repeat(11)); // all pending at the start
    expect(seen.at(-1)).toBe("p".repeat(11)); // all passed at the end
  });

  it("a failing step fails the run, with why; the rest are skipped", async () => {
    const r = new ScenarioRunner(fakeActions([], "send n1>n2"), scenarios, async () => {});
    const run = await finished(r, r.start("hello-swarm").id);
    expect(run.status).toBe("failed");
    expect(run.steps.map((s) => s.status)).toEqual(["passed", "failed", "skipped"]);
    expect(run.steps[1]!.detail).toMatch(/not seen within/);
  });

  it("one run at a time; unknown names are 404s", async () => {
    const slow: Scenario = { name: "slow", title: "", description: "", steps: [{ name: "wait", caption: "c", do: "pause", ms: 5 }] };
    const r = new ScenarioRunner(fakeActions([]), [slow], (ms) => new Promise((x) => setTimeout(x, ms)));
    const run = r.start("slow");
    expect(() => r.start("slow")).toThrow(/is running/);
    expect(() => r.start("nope")).toThrow(/no scenario nope/);
    expect(() => r.get("s99")).toThrow(/no scenario run/);
    expect((await finished(r, run.id)).status).toBe("passed");
  });

  it("the seed replay sends the seed's four messages along the chain", () => {
    const seed = scenarios.find((s) => s.name === "seed-replay")!;
    expect(seed.steps.filter((s) => s.do === "seed").map((s) => s.do === "seed" && `${s.from}>${s.to}`)).toEqual(["n1>n2", "n2>n3", "n3>n4", "n4>n5"]);
  });
});
