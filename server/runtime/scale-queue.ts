import type { Runtime } from "./types";

/**
 * Scale requests to one runtime, one at a time. A request made while a scale runs waits; several
 * waiting are merged into the last (5 → 3 → 5 asked quickly runs 5, then 5), so the final state is
 * always the last request. Disposed when its runtime is switched away: what waits is dropped and
 * the outcome of what runs is ignored.
 */
export class ScaleQueue {
  private wanted: number | null = null;
  private running = false;
  private draining: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly runtime: Pick<Runtime, "scale">,
    private readonly onError: (replicas: number, err: Error) => void,
  ) {}

  request(replicas: number): void {
    if (this.disposed) return;
    this.wanted = replicas;
    if (!this.running) this.draining = this.drain();
  }

  /** Resolves once nothing runs or waits. */
  async idle(): Promise<void> {
    while (this.running) await this.draining;
  }

  dispose(): void {
    this.disposed = true;
    this.wanted = null;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.wanted !== null && !this.disposed) {
      const n = this.wanted;
      this.wanted = null;
      try {
        await this.runtime.scale(n);
      } catch (err) {
        // A failure matters only if nothing newer is asked: the newer request may well succeed.
        if (!this.disposed && this.wanted === null) this.onError(n, err as Error);
      }
    }
    this.running = false; // in the same turn as the last check: no request can fall in between
  }
}
