import { PassThrough, Writable } from "node:stream";
import { FrameReader, encodeFrame } from "../bridge/frames";
import type { BridgeTransport } from "../runtime/types";

/**
 * A bridge's stdio for unit tests: frames the test makes the "bridge" say go to `output`, what
 * the client writes is decoded into `written`, and the test decides when the process exits. Like
 * a live bridge it answers `ping` (unless `answerPings` is false: a hung bridge), and it can stop
 * reading its input (`stall()`) so that the client's writes meet back-pressure.
 */
export class FakeTransport implements BridgeTransport {
  readonly input: Writable;
  readonly output = new PassThrough();
  readonly written: Record<string, unknown>[] = [];
  kills = 0;
  exitReason: string | null = null;
  answerPings = true;
  private readonly exitCallbacks: ((reason: string) => void)[] = [];
  private stalled = false;
  private held: { chunk: Buffer; done: () => void }[] = [];
  private readonly reader: FrameReader;

  constructor(opts: { highWaterMark?: number } = {}) {
    this.reader = new FrameReader((buf) => this.onCommand(JSON.parse(buf.toString("utf8")) as Record<string, unknown>));
    this.input = new Writable({
      highWaterMark: opts.highWaterMark ?? 16 * 1024,
      write: (chunk: Buffer, _enc, done) => {
        if (this.stalled) this.held.push({ chunk, done });
        else this.consume(chunk, done);
      },
    });
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

  /** The bridge stops reading its stdin. */
  stall(): void {
    this.stalled = true;
  }

  /** It reads again: what waited is taken in order. */
  resume(): void {
    this.stalled = false;
    for (const h of this.held.splice(0)) this.consume(h.chunk, h.done);
  }

  private consume(chunk: Buffer, done: () => void): void {
    this.reader.push(chunk);
    done();
  }

  private onCommand(cmd: Record<string, unknown>): void {
    this.written.push(cmd);
    if (cmd.t === "ping" && this.answerPings) this.say({ t: "reply", ref: cmd.ref, ok: true, result: "pong" });
  }
}

/** Lets stream callbacks (process.nextTick) and settled promises run. */
export function flushStreams(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
