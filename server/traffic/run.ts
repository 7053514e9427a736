import type { TrafficRunDTO } from "../../lib/contracts/http-replies";
import type { TrafficPattern } from "../../lib/contracts/common";

/**
 * One traffic run: its state and live progress. `sent` adds up the `traffic_sent` events of the
 * generators' nodes: each report of a node says how many of this run's bulk messages it sent
 * (the books apply each report once, so this is exact, and moves while the run goes, with no id
 * per message). The generators' own totals arrive only when each ends, and are kept apart as
 * `reported`; once every generator has ended the two are equal. Times come from the caller.
 */
export class TrafficRun {
  state: TrafficRunDTO["state"] = "running";
  endedAt: number | null = null;
  sent = 0;
  reported = 0;
  private readonly ended = new Set<string>();

  constructor(
    readonly id: string,
    readonly pattern: TrafficPattern,
    readonly startedAt: number,
    readonly expected: number,
    readonly nodes: readonly string[],
  ) {}

  get running(): boolean {
    return this.state === "running";
  }

  /** `n` more of this run's messages sent by `node` (one report's `traffic_sent`). */
  countSent(node: string, n: number): boolean {
    if (!this.nodes.includes(node) || n <= 0) return false;
    this.sent += n;
    return true;
  }

  /**
   * The generator on `node` ended: it reported `reported` sends, or (undefined) its node went
   * down and it never will. Answers whether that changed anything; the last one finishes the run.
   */
  generatorEnded(node: string, reported: number | undefined, now: number): boolean {
    if (!this.nodes.includes(node) || this.ended.has(node)) return false;
    this.ended.add(node);
    this.reported += reported ?? 0;
    if (this.running && this.ended.size === this.nodes.length) this.end("finished", now);
    return true;
  }

  /** Stopped by hand (or by a new run); false when it had already ended. */
  stop(now: number): boolean {
    if (!this.running) return false;
    this.end("stopped", now);
    return true;
  }

  pendingNodes(): string[] {
    return this.nodes.filter((n) => !this.ended.has(n));
  }

  toDTO(): TrafficRunDTO {
    return {
      run: this.id,
      pattern: this.pattern,
      state: this.state,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      expected: this.expected,
      generators: this.nodes.length,
      done: this.ended.size,
      sent: this.sent,
      reported: this.reported,
      nodes: [...this.nodes],
      pending: this.pendingNodes(),
    };
  }

  private end(state: "finished" | "stopped", now: number): void {
    this.state = state;
    this.endedAt = now;
  }
}
