import { z } from "zod";
import { epochMs } from "./common";
import { faultKind } from "./fault-requests";

// What the fault and scenario routes answer, and the socket's scenario progress.

const msOrNull = z.number().min(0).nullable();

export const faultSchema = z
  .strictObject({
    id: z.string(),
    kind: faultKind,
    nodes: z.array(z.string()).describe("the nodes it acts on (for a partition: both groups)"),
    groups: z.array(z.array(z.string())).nullable().describe("partition: the two sides"),
    delayMs: z.number().nullable(),
    jitterMs: z.number().nullable(),
    lossPct: z.number().nullable(),
    status: z.enum(["active", "healed", "ended"]).describe("`active` until healed (kill: `ended` once the node is back)"),
    how: z.string().describe("how it is done on this runtime (SIGSTOP, docker pause, an Erlang-level cut, blackhole routes, a shaping proxy)"),
    startedAt: epochMs,
    detectedAt: epochMs.nullable().describe("when the dashboard saw it: the node(s) down, the links across the cut gone, the proxy in force"),
    detectionMs: msOrNull.describe("detectedAt - startedAt"),
    healedAt: epochMs.nullable(),
    restoredAt: epochMs.nullable().describe("after the heal (or a kill's restart): when the nodes were up and linked again"),
    restoreMs: msOrNull.describe("restoredAt - healedAt (kill: - detectedAt)"),
  })
  .describe("A fault: what it does and what was measured.");
export type FaultDTO = z.infer<typeof faultSchema>;

export const faultsReply = z
  .strictObject({
    tickMs: z.number().int().describe("SWARMSCOPE_TICK_MS: a frozen or silently cut-off node is down about one tick after it went silent (at most 1.25)"),
    faults: z.array(faultSchema).describe("active faults, then the last ones healed, newest first"),
  })
  .describe("The faults and their measured detection times.");
export const faultReply = z.strictObject({ fault: faultSchema });
export const faultsHealedReply = z.strictObject({ faults: z.array(faultSchema).describe("the faults just healed") });

export const scenarioStepStatus = z.enum(["pending", "running", "passed", "failed", "skipped"]);

export const scenarioStepSchema = z.strictObject({
  name: z.string(),
  status: scenarioStepStatus,
  ms: z.number().min(0).nullable().describe("how long the step took"),
  detail: z.string().describe("what was seen (or why it failed)"),
  caption: z.string().describe("one sentence for the presenter view"),
});
export type ScenarioStepDTO = z.infer<typeof scenarioStepSchema>;

export const scenarioSchema = z.strictObject({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  steps: z.array(z.strictObject({ name: z.string(), caption: z.string() })),
});
export type ScenarioDTO = z.infer<typeof scenarioSchema>;

export const scenarioRunSchema = z
  .strictObject({
    id: z.string(),
    scenario: z.string(),
    status: z.enum(["running", "passed", "failed"]),
    startedAt: epochMs,
    endedAt: epochMs.nullable(),
    steps: z.array(scenarioStepSchema),
  })
  .describe("A scenario run: each step with its status, measured time and caption.");
export type ScenarioRunDTO = z.infer<typeof scenarioRunSchema>;

export const scenariosReply = z.strictObject({ scenarios: z.array(scenarioSchema), latest: scenarioRunSchema.nullable() });
export const scenarioRunReply = z.strictObject({ run: scenarioRunSchema });
