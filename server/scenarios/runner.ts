import { EventEmitter } from "node:events";
import type { ScenarioDTO, ScenarioRunDTO } from "../../lib/contracts/fault-replies";
import { ConflictError, NotFoundError } from "../errors";
import type { ScenarioActions } from "./actions";
import type { Scenario, ScenarioStep } from "./steps";

const DEFAULT_TIMEOUT_MS = 30_000;
const KEEP_RUNS = 20;

/**
 * Runs scenarios one at a time, step by step: each step's status, measured time and detail, and a
 * `change` event at every start and end (the socket's `scenario`). A step that fails ends the run
 * `failed`; the steps after it are `skipped`.
 */
export class ScenarioRunner extends EventEmitter<{ change: [ScenarioRunDTO] }> {
  private readonly runs: ScenarioRunDTO[] = [];
  private seq = 0;

  constructor(
    private readonly actions: ScenarioActions,
    private readonly library: readonly Scenario[],
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {
    super();
  }

  list(): ScenarioDTO[] {
    return this.library.map((s) => ({ name: s.name, title: s.title, description: s.description, steps: s.steps.map((x) => ({ name: x.name, caption: x.caption })) }));
  }

  latest(): ScenarioRunDTO | null {
    return this.runs.at(-1) ?? null;
  }

  get(id: string): ScenarioRunDTO {
    const r = this.runs.find((x) => x.id === id);
    if (!r) throw new NotFoundError(`no scenario run ${id}`);
    return r;
  }

  start(name: string): ScenarioRunDTO {
    const scenario = this.library.find((s) => s.name === name);
    if (!scenario) throw new NotFoundError(`no scenario ${name} (scenarios: ${this.library.map((s) => s.name).join(", ")})`);
    const running = this.runs.find((r) => r.status === "running");
    if (running) throw new ConflictError(`scenario ${running.scenario} is running (${running.id}): wait for it to end`);
    const run: ScenarioRunDTO = {
      id: `s${++this.seq}`, scenario: name, status: "running", startedAt: Date.now(), endedAt: null,
      steps: scenario.steps.map((s) => ({ name: s.name, status: "pending", ms: null, detail: "", caption: s.caption })),
    };
    this.runs.push(run);
    if (this.runs.length > KEEP_RUNS) this.runs.shift();
    this.changed(run);
    void this.run(run, scenario);
    return run;
  }

  private async run(run: ScenarioRunDTO, scenario: Scenario): Promise<void> {
    for (const [i, step] of scenario.steps.entries()) {
      const dto = run.steps[i]!;
      const t0 = Date.now();
      Object.assign(dto, { status: "running" });
      this.changed(run);
      try {
        dto.detail = await this.step(step);
        dto.status = "passed";
      } catch (err) {
        Object.assign(dto, { status: "failed", detail: (err as Error).message });
      }
      dto.ms = Date.now() - t0;
      if (dto.status === "failed") break;
      this.changed(run);
    }
    const failed = run.steps.some((s) => s.status === "failed");
    for (const s of run.steps) if (s.status === "pending") s.status = "skipped";
    Object.assign(run, { status: failed ? "failed" : "passed", endedAt: Date.now() });
    this.changed(run);
  }

  private async step(s: ScenarioStep): Promise<string> {
    const t = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const a = this.actions;
    switch (s.do) {
      case "deploy":
        return a.deploy(s.replicas, Math.max(t, 60_000));
      case "send":
        return a.send(s.from, s.to, s.content, t);
      case "broadcast":
        return a.broadcast(s.from, s.content, t);
      case "storm":
        return a.storm(s.rate, s.durationS, t);
      case "fault":
        return a.fault(s.fault, t);
      case "heal":
        return a.heal(s.kind, t);
      case "seed":
        return a.seed(s.from, s.to, s.content, t);
      case "pause":
        await this.sleep(s.ms);
        return `${s.ms} ms`;
    }
  }

  private changed(run: ScenarioRunDTO): void {
    this.emit("change", structuredClone(run));
  }
}
