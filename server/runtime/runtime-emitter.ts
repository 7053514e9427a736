import { EventEmitter } from "node:events";
import type { RuntimeEvents } from "./types";

/** The typed events every runtime emits (change, progress, hosts): one emitter, one on/off. */
export class RuntimeEmitter {
  protected readonly emitter = new EventEmitter();

  on<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.on(event, cb);
  }

  off<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.off(event, cb);
  }
}
