/**
 * A token bucket per key: `ratePerS` calls a second on average, bursts of up to `burst`. A call
 * refused gets the seconds until the next one would pass (for Retry-After). The clock is injected
 * so the tests need no sleeping. Keys are the API's tokens, so there are at most a few.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly ratePerS: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one call from `key`'s bucket: 0 when it passes, else the seconds to wait (> 0). */
  take(key: string): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerS);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / this.ratePerS;
  }
}
