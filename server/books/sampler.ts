import type { MessageDTO, PairProgressDTO } from "../../lib/contracts/http-replies";
import type { PairBook } from "./pair";

// The timeline under a storm: a live, rate-limited sample of bulk receptions, each marked as the
// sample it is (and roughly how many it stands for), plus the exact books of the pairs that moved.
// It never pretends to be the whole stream.

export interface SamplerOptions {
  /** Samples at most per second (token bucket). */
  perSecond?: number;
  /** Pair progress at most every this many ms. */
  progressMs?: number;
  now?: () => number;
}

export function bulkId(pair: number, seq: number): string {
  return `p${pair}.${seq}`;
}

export function progressOf(p: PairBook): PairProgressDTO {
  return { pair: p.id, from: p.from, to: p.to, ...p.counts() };
}

export class Sampler {
  private tokens: number;
  private refilled: number;
  private represented = 0;
  private samples: MessageDTO[] = [];
  private readonly moved = new Set<PairBook>();
  private lastProgress = -Infinity;
  private readonly perSecond: number;
  private readonly progressMs: number;
  private readonly now: () => number;

  constructor(opts: SamplerOptions = {}) {
    this.perSecond = opts.perSecond ?? 20;
    this.progressMs = opts.progressMs ?? 250;
    this.now = opts.now ?? Date.now;
    this.tokens = this.perSecond;
    this.refilled = this.now();
  }

  /** A received run of bulk messages: maybe its last message becomes a sample. */
  onRun(p: PairBook, seq: number, t1: number, latUs: number | null, n: number): boolean {
    this.represented += n;
    if (!this.take()) return false;
    const oneWay = p.sameClock && latUs !== null;
    this.samples.push({
      id: bulkId(p.id, seq), from: p.from, to: p.to, content: "", status: "received",
      sentAt: oneWay ? (t1 - latUs) / 1000 : null, receivedAt: t1 / 1000, ackedAt: null,
      latencyMs: oneWay ? latUs / 1000 : null, ...(oneWay ? { latencyKind: "one-way" as const } : {}),
      reason: null, seed: false, sampled: true, sampleOf: this.represented,
    });
    this.represented = 0;
    return true;
  }

  onPairChanged(p: PairBook): void {
    this.moved.add(p);
  }

  /** Samples since the last call, and the moved pairs' books when `progressMs` has passed. */
  drain(maxRuns = 500): { samples: MessageDTO[]; runs?: PairProgressDTO[] } {
    const samples = this.samples;
    this.samples = [];
    const now = this.now();
    if (this.moved.size === 0 || now - this.lastProgress < this.progressMs) return { samples };
    this.lastProgress = now;
    const runs = [...this.moved].slice(0, maxRuns).map(progressOf);
    this.moved.clear();
    return { samples, runs };
  }

  /** Whether a drain now would carry something. */
  pending(): boolean {
    return this.samples.length > 0 || (this.moved.size > 0 && this.now() - this.lastProgress >= this.progressMs);
  }

  private take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilled) * this.perSecond) / 1000);
    this.refilled = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
