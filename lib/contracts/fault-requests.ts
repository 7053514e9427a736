import { z } from "zod";
import { MAX_REPLICAS, nodeName } from "./common";

// What the fault and scenario routes accept (POST /api/faults, /api/scenarios/:name/run). Which
// fields a kind needs is checked here; whether the nodes exist and are up, by the server.

export const FAULT_DELAY_MAX_MS = 60_000;

export const faultKind = z
  .enum(["kill", "freeze", "partition", "delay", "loss"], { error: 'kind must be one of "kill", "freeze", "partition", "delay", "loss"' })
  .describe(
    "`kill`: SIGKILL / `docker kill` (the runtime restarts it); `freeze`: SIGSTOP / `docker pause` until healed; `partition`: two groups stop " +
      "reaching each other; `delay`: every distribution link of the nodes through a delaying proxy (± jitter); `loss`: the same proxy losing packets (TCP resends them, late).",
  );
export type FaultKind = z.infer<typeof faultKind>;

const nodeList = z.array(nodeName).max(MAX_REPLICAS, `at most ${MAX_REPLICAS} nodes`);
const ms = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number of ms`)
    .min(0, `${field} must be at least 0`)
    .max(FAULT_DELAY_MAX_MS, `${field} must be at most ${FAULT_DELAY_MAX_MS}`);

export const faultBody = z
  .strictObject({
    kind: faultKind,
    nodes: nodeList.optional().describe("The nodes it applies to (kill, freeze, delay, loss); for a partition, group A (every other node up is group B)."),
    groups: z
      .array(nodeList.min(1, "a partition group must not be empty"))
      .length(2, "groups must be two lists of node names")
      .optional()
      .describe("partition: the two sides, `[[a, b], [c, d, e]]`; a node may be in one group only."),
    delayMs: ms("delayMs").optional().describe("delay: added to every chunk each way, ms."),
    jitterMs: ms("jitterMs").optional().describe("delay: ± uniform jitter, ms (never reorders)."),
    lossPct: z
      .number({ error: "lossPct must be a number" })
      .min(0, "lossPct must be at least 0")
      .max(100, "lossPct must be at most 100")
      .optional()
      .describe("loss (or delay): % of TCP segments lost; each waits a retransmission timeout."),
  })
  .superRefine((b, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (b.kind === "partition") {
      if (!b.groups && !b.nodes?.length) fail("partition needs groups: [[...], [...]] (or nodes: the rest form the other group)");
      if (b.groups && b.nodes) fail("partition takes groups or nodes, not both");
    } else {
      if (b.groups) fail(`${b.kind} takes nodes, not groups`);
      if (!b.nodes?.length) fail(`${b.kind} needs nodes: a list of at least one node name`);
    }
    if (b.kind === "delay" && b.delayMs === undefined) fail("delay needs delayMs");
    if (b.kind === "loss" && b.lossPct === undefined) fail("loss needs lossPct");
    if (b.kind !== "delay" && (b.delayMs !== undefined || b.jitterMs !== undefined)) fail("delayMs and jitterMs belong to kind delay");
    if (b.kind !== "delay" && b.kind !== "loss" && b.lossPct !== undefined) fail("lossPct belongs to kind loss (or delay)");
  })
  .describe("Inject a fault.");
export type FaultBody = z.infer<typeof faultBody>;

export const faultParams = z.strictObject({ id: z.string().min(1).describe("A fault id, as `POST /api/faults` answered it.") });
export const scenarioParams = z.strictObject({ name: z.string().min(1).describe("A scenario name, as `GET /api/scenarios` lists it.") });
export const scenarioRunParams = z.strictObject({ run: z.string().min(1).describe("A run id, as `POST /api/scenarios/:name/run` answered it.") });
