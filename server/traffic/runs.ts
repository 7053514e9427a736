import { EventEmitter } from "node:events";
import type { ClusterEventDTO, TrafficRunDTO } from "../../lib/contracts/http-replies";
import type { BridgeCommand } from "../bridge/protocol";
import { ApiError } from "../errors";
import { type TrafficRequest, planTraffic } from "./plan";
import { TrafficRun } from "./run";

export interface TrafficRunsOptions {
  /** Sends a command to the bridge; false when the bridge is not up. */
  send: (cmd: BridgeCommand) => boolean;
  /** Writes a line to the event log. */
  record: (e: Omit<ClusterEventDTO, "at">) => void;
  shortName: (node: string) => string;
  now?: () => number;
  /** While a run goes, progress is pushed at most once per this many ms (state changes at once). */
  progressMs?: number;
}

/**
 * Traffic runs: plans a pattern into generators (./plan.ts), starts and stops them through the
 * bridge, follows the current run's progress, and pushes it as `progress` events: at once when a
 * run starts or ends, and at most every `progressMs` while its counts move.
 */
export class TrafficRuns extends EventEmitter<{ progress: [TrafficRunDTO] }> {
  private run: TrafficRun | null = null;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastPush = -Infinity;
  private readonly now: () => number;
  private readonly progressMs: number;

  constructor(private readonly opts: TrafficRunsOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.progressMs = opts.progressMs ?? 250;
  }

  /** The latest run (running or ended), or null before the first. */
  current(): TrafficRunDTO | null {
    return this.run?.toDTO() ?? null;
  }

  /** Plans and starts a run on the nodes up; a run still going is stopped first. */
  start(req: TrafficRequest, up: string[]): TrafficRunDTO {
    const id = `t${this.now().toString(36)}-${++this.seq}`;
    const plan = planTraffic(req, up, id);
    if (this.run?.running) this.stop();
    for (const c of plan.commands) this.opts.send(c);
    const nodes = plan.commands.map((c) => c.node);
    this.run = new TrafficRun(id, req.pattern, this.now(), plan.expected, nodes);
    this.opts.record({ kind: "traffic", text: `traffic ${req.pattern} started: ${plan.expected} messages from ${nodes.length} nodes` });
    this.push();
    return this.run.toDTO();
  }

  /** Stops the running run; a 404 when none is running (an ended run stays as it ended). */
  stop(): TrafficRunDTO {
    const run = this.run;
    if (!run?.running) throw new ApiError(404, "no traffic run is running");
    if (!this.opts.send({ t: "traffic_stop", run: run.id })) {
      this.opts.record({ kind: "traffic", text: `traffic ${run.pattern}: the bridge is down, its generators could not be told to stop` });
    }
    run.stop(this.now());
    this.opts.record({ kind: "traffic", text: `traffic ${run.pattern} stopped after ${run.sent} of ${run.expected} messages` });
    this.push();
    return run.toDTO();
  }

  /** A node's report counted `n` bulk sends of run `runId` (its `traffic_sent` event). */
  onRunSent(runId: string, node: string, n: number): void {
    if (this.run?.id === runId && this.run.countSent(node, n)) this.schedule();
  }

  /** A generator reported `traffic_done`. */
  onGeneratorDone(runId: string, node: string, reported: number): void {
    if (this.run?.id === runId) this.generatorEnded(this.run, node, reported);
  }

  /** A node went down: its generator can never report. */
  onNodeDown(node: string): void {
    if (this.run) this.generatorEnded(this.run, node, undefined, "its node went down");
  }

  /** The bridge went down: no generator of this run can report any more. */
  onBridgeDown(): void {
    const run = this.run;
    if (!run) return;
    for (const node of run.pendingNodes()) this.generatorEnded(run, node, undefined, "the bridge went down");
  }

  close(): void {
    this.clearTimer();
  }

  private generatorEnded(run: TrafficRun, node: string, reported: number | undefined, why?: string): void {
    const wasRunning = run.running;
    if (!run.generatorEnded(node, reported, this.now())) return;
    if (why) this.opts.record({ kind: "traffic", node, text: `traffic generator on ${this.opts.shortName(node)} ended: ${why}` });
    if (wasRunning && run.state === "finished") {
      const s = ((run.endedAt! - run.startedAt) / 1000).toFixed(2);
      this.opts.record({ kind: "traffic", text: `traffic ${run.pattern} finished: ${run.sent} sent in ${s} s` });
      this.push();
    } else this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.push(), Math.max(0, this.lastPush + this.progressMs - this.now()));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private push(): void {
    this.clearTimer();
    this.lastPush = this.now();
    if (this.run) this.emit("progress", this.run.toDTO());
  }
}
