import type { Writable } from "node:stream";
import { UnavailableError } from "../errors";

/**
 * Writes frames to the bridge's stdin respecting back-pressure: once `write()` says the stream is
 * full, later frames wait here, in order, and go out on `drain`. What waits is bounded: past
 * `maxBytes` a frame is refused with an error (503 at the API), never dropped silently.
 */
export class BridgeWriter {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private blocked = false;
  private discarded = false;

  constructor(
    private readonly input: Writable,
    private readonly maxBytes: number,
  ) {}

  /** Bytes waiting for the bridge to read. */
  get queued(): number {
    return this.queuedBytes;
  }

  write(frame: Buffer): void {
    if (this.discarded) return;
    if (!this.blocked) {
      if (!this.input.write(frame)) this.block();
      return;
    }
    if (this.queuedBytes + frame.length > this.maxBytes) {
      throw new UnavailableError(
        `the bridge is not reading its commands: ${this.queuedBytes} bytes already wait (limit ${this.maxBytes}); this command was refused`,
      );
    }
    this.queue.push(frame);
    this.queuedBytes += frame.length;
  }

  /** The bridge is gone: what waits is dropped with it (its pending requests fail on their own). */
  discard(): void {
    this.discarded = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private block(): void {
    this.blocked = true;
    this.input.once("drain", () => this.drain());
  }

  private drain(): void {
    this.blocked = false;
    while (!this.discarded && this.queue.length > 0) {
      const frame = this.queue.shift()!;
      this.queuedBytes -= frame.length;
      if (!this.input.write(frame)) return this.block();
    }
  }
}
