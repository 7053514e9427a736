import type { DeployProgressDTO } from "../../lib/contracts/http-replies";
import type { Replica } from "../runtime/types";

// A deploy's progress as the cluster view shows it (a scale, or a removal with 0): the phase,
// replicas running and nodes up against the target, done or failed, and how long it took.

export class DeployProgress {
  current: DeployProgressDTO | null = null;

  start(target: number, now: number): void {
    const phase = target === 0 ? "removing replicas" : "starting replicas";
    this.current = { target, startedAt: now, phase, replicasRunning: 0, nodesUp: 0, done: false };
  }

  /** A deploy asked from here is still going. */
  get going(): boolean {
    return this.current !== null && !this.current.done;
  }

  /** The phase the runtime reports, while going; answers whether it was taken. */
  setPhase(phase: string): boolean {
    if (!this.current || this.current.done) return false;
    this.current.phase = phase;
    return true;
  }

  /** The deploy failed: done, with its error; false when there is none. */
  fail(error: string, now: number): boolean {
    if (!this.current) return false;
    this.current = { ...this.current, done: true, error, finishedAt: now };
    return true;
  }

  /** Counts again from the replicas; answers what to record when this made the deploy done. */
  update(replicas: readonly Replica[], isUp: (node: string) => boolean, now: number): string | null {
    const p = this.current;
    if (!p || p.done) return null;
    p.replicasRunning = replicas.filter((r) => r.state === "running").length;
    p.nodesUp = replicas.filter((r) => r.nodeName && isUp(r.nodeName)).length;
    if (p.target > 0 && p.replicasRunning >= p.target && p.phase === "starting replicas") p.phase = "waiting for Erlang nodes";
    const done = p.target === 0 ? replicas.length === 0 : p.nodesUp >= p.target && replicas.length === p.target;
    if (!done) return null;
    p.done = true;
    p.finishedAt = now;
    p.phase = "done";
    return `${p.target === 0 ? "removed all replicas" : `all ${p.target} nodes up`} in ${((p.finishedAt - p.startedAt) / 1000).toFixed(2)} s`;
  }
}
