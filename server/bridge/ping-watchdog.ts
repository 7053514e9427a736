export interface PingWatchdogOptions {
  intervalMs: number;
  /** Silent this long (ms): hung. */
  timeoutMs: number;
  ping: () => void;
  hung: (silentMs: number) => void;
  now?: () => number;
}

/**
 * Pings every `intervalMs` and calls `hung` once nothing was heard (`heard()`: any frame, a pong
 * or not) for `timeoutMs`. A tick that fires late because this process itself was stalled (a
 * long synchronous job) judges nothing: what the bridge said meanwhile has not been read yet.
 */
export class PingWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  private lastTick = 0;
  private readonly now: () => number;

  constructor(private readonly opts: PingWatchdogOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.stop();
    this.lastHeard = this.lastTick = this.now();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  heard(): void {
    this.lastHeard = this.now();
  }

  private tick(): void {
    const now = this.now();
    const late = now - this.lastTick > 2 * this.opts.intervalMs;
    this.lastTick = now;
    if (late) this.lastHeard = Math.max(this.lastHeard, now - this.opts.intervalMs);
    const silent = now - this.lastHeard;
    if (silent >= this.opts.timeoutMs) {
      this.stop();
      this.opts.hung(silent);
      return;
    }
    this.opts.ping();
  }
}
