import { EventEmitter } from "node:events";
import type { RuntimeKind } from "../../lib/contracts/common";
import type { RuntimeStatusDTO } from "../../lib/contracts/http-replies";
import type { BridgeTransport, DiscoverCommand, Replica, Runtime, RuntimeEvents } from "../runtime/types";

interface HeldScale {
  n: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * A runtime for unit tests: every scale is held until the test releases it (then the replicas
 * are `n` running ones), so interleavings can be played step by step.
 */
export class FakeRuntime implements Runtime {
  readonly deploymentId = "test";
  readonly scales: number[] = [];
  readonly held: HeldScale[] = [];
  currentStatus: RuntimeStatusDTO = { ready: true };
  closed = false;
  private replicas: Replica[] = [];
  private desiredCount = 0;
  private readonly emitter = new EventEmitter();

  constructor(readonly kind: RuntimeKind) {}

  async status(): Promise<RuntimeStatusDTO> {
    return this.currentStatus;
  }

  scale(n: number): Promise<void> {
    this.scales.push(n);
    return new Promise((resolve, reject) => this.held.push({ n, resolve, reject }));
  }

  /** Lets the oldest held scale complete: the runtime now has `n` running replicas. */
  release(): void {
    const h = this.held.shift();
    if (!h) throw new Error("no scale is held");
    this.desiredCount = h.n;
    this.replicas = Array.from({ length: h.n }, (_, i) => replica(i + 1, this.kind));
    this.emit("change", this.replicas);
    h.resolve();
  }

  /** Makes the oldest held scale fail. */
  fail(message: string): void {
    const h = this.held.shift();
    if (!h) throw new Error("no scale is held");
    h.reject(new Error(message));
  }

  desired(): number {
    return this.desiredCount;
  }

  list(): Replica[] {
    return this.replicas;
  }

  async kill(): Promise<void> {}

  openBridge(): Promise<BridgeTransport> {
    return new Promise(() => {}); // the bridge never starts: these tests are about the runtime
  }

  discovery(): DiscoverCommand {
    return { t: "discover", mode: "epmd", host: "127.0.0.1", deployment: this.deploymentId };
  }

  on<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.on(event, cb);
  }

  off<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.off(event, cb);
  }

  listeners(): number {
    return this.emitter.listenerCount("change") + this.emitter.listenerCount("progress");
  }

  emit<E extends keyof RuntimeEvents>(event: E, ...args: Parameters<RuntimeEvents[E]>): void {
    this.emitter.emit(event, ...args);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function fakeNodeName(slot: number, kind: RuntimeKind): string {
  return `n${slot}-test@${kind === "local" ? "127.0.0.1" : `10.0.0.${slot}`}`;
}

function replica(slot: number, kind: RuntimeKind): Replica {
  return { id: `n${slot}`, slot, state: "running", host: "h", restarts: 0, nodeName: fakeNodeName(slot, kind) };
}
