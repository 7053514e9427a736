import { EventEmitter } from "node:events";
import type { BridgeTransport, DiscoverCommand } from "../runtime/types";
import { FrameReader, encodeFrame } from "./frames";
import { type BridgeCommand, type BridgeFrame, bridgeFrame, type FaultCommand, type SeedCommand } from "./protocol";
import type { Logger } from "../log";
import { BridgeWriter } from "./bridge-writer";
import { PingWatchdog } from "./ping-watchdog";

import type { BridgeStatus } from "../../lib/contracts/common";

export type { BridgeStatus };

export interface BridgeClientOptions {
  open: () => Promise<BridgeTransport>;
  discovery: () => DiscoverCommand;
  log: Logger;
  handshakeTimeoutMs?: number;
  restartDelayMs?: number;
  /** A `ping` this often while up (ms). */
  pingIntervalMs?: number;
  /** Nothing heard from the bridge for this long (ms): it is hung; killed and started again. */
  pingTimeoutMs?: number;
  /** Frames waiting for the bridge to read its input, at most (bytes); past it a command is refused. */
  maxQueuedBytes?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Owns the bridge process: starts it, waits for its `hello` (with a timeout), relays commands,
 * parses and validates frames, and starts it again whenever it dies, until closed. While up it
 * pings every second: a bridge (or a Docker attach) silent for `pingTimeoutMs` is killed and
 * started again. Commands respect the bridge's back-pressure (BridgeWriter).
 */
export class BridgeClient extends EventEmitter<{
  frame: [BridgeFrame];
  status: [BridgeStatus, string | undefined];
}> {
  status: BridgeStatus = "down";
  bridgeNode: string | undefined;
  lastError: string | undefined;
  private transport: BridgeTransport | null = null;
  private writer: BridgeWriter | null = null;
  private readonly watchdog: PingWatchdog;
  /** Why the client killed the current bridge (told instead of its exit status). */
  private killedBecause: string | undefined;
  private closed = false;
  /** start() was called once; from then on the client restarts the bridge by itself. */
  started = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private pending = new Map<string, Pending>();
  private refSeq = 0;
  private pingSeq = 0;
  private readonly handshakeTimeoutMs: number;
  private readonly restartDelayMs: number;

  constructor(private readonly opts: BridgeClientOptions) {
    super();
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 15_000;
    this.restartDelayMs = opts.restartDelayMs ?? 1_000;
    this.watchdog = new PingWatchdog({
      intervalMs: opts.pingIntervalMs ?? 1_000,
      timeoutMs: opts.pingTimeoutMs ?? 3_000,
      ping: () => this.trySend({ t: "ping", ref: `ping${++this.pingSeq}` }),
      hung: (silentMs) => this.killHung(silentMs),
    });
  }

  async start(): Promise<void> {
    if (this.closed || this.transport) return;
    this.started = true;
    this.setStatus("starting");
    let transport: BridgeTransport;
    try {
      transport = await this.opts.open();
    } catch (err) {
      this.fail(`could not start the bridge: ${(err as Error).message}`);
      return;
    }
    if (this.closed) {
      await transport.kill();
      return;
    }
    this.transport = transport;
    this.killedBecause = undefined;
    this.writer = new BridgeWriter(transport.input, this.opts.maxQueuedBytes ?? 16 * 2 ** 20);
    const handshake = setTimeout(() => {
      this.opts.log.error(`bridge sent no hello within ${this.handshakeTimeoutMs} ms; restarting it`);
      void transport.kill();
    }, this.handshakeTimeoutMs);
    const reader = new FrameReader(
      (buf) => this.onFrame(buf, handshake),
      (err) => {
        this.opts.log.error(`bridge stream: ${err.message}`);
        void transport.kill();
      },
    );
    transport.output.on("data", (chunk: Buffer) => reader.push(chunk));
    transport.input.on("error", (err) => this.opts.log.warn(`bridge stdin: ${err.message}`));
    transport.onExit((reason) => {
      clearTimeout(handshake);
      if (this.transport !== null && this.transport !== transport) return; // an earlier bridge's late word
      this.transport = null;
      this.writer?.discard();
      this.writer = null;
      this.watchdog.stop();
      this.fail(this.killedBecause ?? `bridge exited: ${reason}`);
    });
  }

  /**
   * Writes a command; false when the bridge is not up. Throws (503) when the bridge has stopped
   * reading and the commands waiting for it exceed the bound: nothing is dropped silently.
   */
  send(cmd: BridgeCommand | DiscoverCommand): boolean {
    if (this.status !== "up" || !this.writer) return false;
    this.writer.write(encodeFrame(cmd));
    return true;
  }

  /** A command answered by a `reply` frame. */
  request<T = unknown>(cmd: { t: "get"; node: string } | { t: "ping" } | Omit<FaultCommand, "ref"> | Omit<SeedCommand, "ref">, timeoutMs = 5000): Promise<T> {
    const ref = `r${++this.refSeq}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new Error(`bridge did not answer ${cmd.t} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(ref, { resolve: resolve as (v: unknown) => void, reject, timer });
      if (!this.send({ ...cmd, ref } as BridgeCommand)) {
        clearTimeout(timer);
        this.pending.delete(ref);
        reject(new Error("the bridge is not connected"));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchdog.stop();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const t = this.transport;
    this.transport = null;
    this.writer?.discard();
    this.writer = null;
    if (t) await t.kill();
    this.setStatus("down");
  }

  private onFrame(buf: Buffer, handshake: NodeJS.Timeout): void {
    this.watchdog.heard();
    let raw: unknown;
    try {
      raw = JSON.parse(buf.toString("utf8"));
    } catch {
      this.opts.log.warn(`bridge sent a frame that is not JSON (${buf.length} bytes)`);
      return;
    }
    const parsed = bridgeFrame.safeParse(raw);
    if (!parsed.success) {
      this.opts.log.warn(`bridge sent an unexpected frame: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    const frame = parsed.data;
    if (frame.t === "hello") {
      clearTimeout(handshake);
      this.bridgeNode = frame.bridge;
      this.lastError = undefined;
      this.setStatus("up");
      this.trySend(this.opts.discovery());
      this.watchdog.start();
    } else if (frame.t === "reply") {
      const p = this.pending.get(frame.ref);
      if (p) {
        this.pending.delete(frame.ref);
        clearTimeout(p.timer);
        if (frame.ok) p.resolve(frame.result);
        else p.reject(new Error(frame.error ?? "bridge error"));
      }
      return;
    } else if (frame.t === "log") {
      this.opts.log.info(`bridge ${frame.level}: ${frame.msg}`);
    }
    this.emit("frame", frame);
  }

  /** For the client's own commands (discovery, pings): a refusal is logged, never thrown. */
  private trySend(cmd: BridgeCommand | DiscoverCommand): void {
    try {
      this.send(cmd);
    } catch (err) {
      this.opts.log.error((err as Error).message);
    }
  }

  private killHung(silentMs: number): void {
    const t = this.transport;
    if (!t || this.killedBecause) return;
    this.killedBecause = `bridge hung: nothing heard from it for ${(silentMs / 1000).toFixed(1)} s (pings unanswered); killed`;
    this.opts.log.error(`${this.killedBecause}, restarting it`);
    void t.kill();
  }

  private fail(reason: string): void {
    this.lastError = reason;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    this.pending.clear();
    this.setStatus("down", reason);
    if (this.closed) return;
    this.opts.log.warn(`${reason}; restarting the bridge in ${this.restartDelayMs} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.start();
    }, this.restartDelayMs);
  }

  private setStatus(s: BridgeStatus, err?: string): void {
    if (this.status === s && !err) return;
    this.status = s;
    this.emit("status", s, err);
  }
}
