import { PassThrough } from "node:stream";
import { FrameReader, encodeFrame } from "../bridge/frames";
import type { BridgeTransport } from "../runtime/types";

/**
 * A bridge's stdio for unit tests: frames the test makes the "bridge" say go to `output`, what
 * the client writes is decoded into `written`, and the test decides when the process exits.
 */
export class FakeTransport implements BridgeTransport {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly written: Record<string, unknown>[] = [];
  kills = 0;
  exitReason: string | null = null;
  private readonly exitCallbacks: ((reason: string) => void)[] = [];

  constructor() {
    const reader = new FrameReader((buf) => this.written.push(JSON.parse(buf.toString("utf8")) as Record<string, unknown>));
    this.input.on("data", (chunk: Buffer) => reader.push(chunk));
  }

  onExit(cb: (reason: string) => void): void {
    this.exitCallbacks.push(cb);
  }

  async kill(): Promise<void> {
    this.kills++;
    this.exit("killed");
  }

  /** The bridge process ends (once). */
  exit(reason: string): void {
    if (this.exitReason !== null) return;
    this.exitReason = reason;
    for (const cb of this.exitCallbacks) cb(reason);
  }

  /** The bridge sends a frame. */
  say(frame: Record<string, unknown>): void {
    this.output.write(encodeFrame(frame));
  }
}

/** Lets stream callbacks (process.nextTick) and settled promises run. */
export function flushStreams(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
