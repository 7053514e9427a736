import os from "node:os";
import type { RuntimeKind } from "../../lib/contracts/common";
import type { HostDTO, RuntimeStatusDTO } from "../../lib/contracts/http-replies";
import type { BridgeClient, BridgeStatus } from "../bridge/bridge-client";
import type { BridgeFrame } from "../bridge/protocol";
import type { ClusterModel } from "../cluster/model";
import { ApiError } from "../errors";
import type { Logger } from "../log";
import { meshTickMs, netTicktime } from "./local-args";
import { ScaleQueue } from "./scale-queue";
import type { Replica, Runtime } from "./types";

/** What the supervisor tells the cluster model. */
export type SupervisedModel = Pick<
  ClusterModel,
  | "setReplicas"
  | "setPhase"
  | "setRuntimeStatus"
  | "setBridge"
  | "setRuntime"
  | "setDesired"
  | "failProgress"
  | "nodeDown"
  | "upNodes"
  | "bridge"
  | "setHosts"
>;

export interface SupervisorOptions {
  kind: RuntimeKind;
  createRuntime: (kind: RuntimeKind) => Promise<Runtime>;
  createBridge: (runtime: Runtime) => BridgeClient;
  model: SupervisedModel;
  onFrame: (f: BridgeFrame) => void;
  onBridgeStatus?: (status: BridgeStatus) => void;
  /** The configured net tick (ms); the replicas' own grows with the cluster (meshTickMs). */
  tickMs: number;
  log: Logger;
}

interface Current {
  runtime: Runtime;
  bridge: BridgeClient;
  scaler: ScaleQueue;
  unhook: () => void;
}

/**
 * Owns the runtime and its bridge: creates them, switches, scales, closes. Switches, scale
 * requests (with the runtime check before them), init and close run one at a time, so two
 * concurrent switches never make two runtimes; the scales themselves go through a ScaleQueue per
 * runtime, so a long Swarm deploy does not hold up a switch. A retired runtime's and bridge's
 * listeners are removed before they are closed: nothing they say afterwards reaches the model.
 */
export class RuntimeSupervisor {
  private current: Current | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  kind: RuntimeKind;

  constructor(private readonly opts: SupervisorOptions) {
    this.kind = opts.kind;
  }

  get runtime(): Runtime {
    return this.require().runtime;
  }

  get bridge(): BridgeClient {
    return this.require().bridge;
  }

  start(): Promise<void> {
    return this.serial(() => this.use(this.kind));
  }

  switchTo(kind: RuntimeKind): Promise<void> {
    return this.serial(() => this.switchNow(kind));
  }

  /** Switches first when `kind` differs, checks the runtime is ready, then asks for `replicas`. */
  scale(replicas: number, kind?: RuntimeKind): Promise<void> {
    return this.serial(async () => {
      if (kind) await this.switchNow(kind);
      const st = await this.check();
      if (!st.ready) throw new ApiError(409, st.problem ?? `the ${this.kind} runtime is not ready`);
      this.opts.model.setDesired(replicas);
      this.require().scaler.request(replicas);
      this.tellTick(replicas);
    });
  }

  /** Makes the runtime ready when it can be (Swarm: `docker swarm init`). */
  init(): Promise<RuntimeStatusDTO> {
    return this.serial(async () => {
      const st = await this.check();
      const runtime = this.require().runtime;
      if (st.ready) return st;
      if (!st.canInit || !runtime.init) throw new ApiError(409, st.problem ?? "this runtime cannot be initialised from here");
      try {
        await runtime.init();
      } catch (err) {
        throw new ApiError(500, `initialising the ${this.kind} runtime failed: ${(err as Error).message}`);
      }
      return this.check();
    });
  }

  /** Polled: the bridge starts once the runtime is ready (a Swarm engine may come later). */
  async check(): Promise<RuntimeStatusDTO> {
    const c = this.require();
    let st: RuntimeStatusDTO;
    try {
      st = await c.runtime.status();
    } catch (err) {
      st = { ready: false, problem: (err as Error).message };
    }
    if (c !== this.current || this.closed) return st;
    this.opts.model.setRuntimeStatus(st);
    if (st.ready && c.bridge.status === "down" && !c.bridge.started) void c.bridge.start();
    if (!st.ready && c.bridge.status !== "up") this.opts.model.bridge = { status: "down", error: `waiting for the runtime: ${st.problem}` };
    return st;
  }

  /** Resolves once the current runtime has no scale running or waiting (tests, shutdown). */
  scaled(): Promise<void> {
    return this.current?.scaler.idle() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.retire("dashboard stopping");
    });
  }

  private async switchNow(kind: RuntimeKind): Promise<void> {
    if (this.closed) throw new ApiError(503, "the dashboard is stopping");
    if (kind === this.kind && this.current) return;
    const previous = this.kind;
    this.opts.log.info(`switching runtime ${previous} → ${kind}`);
    await this.retire("runtime switched");
    this.opts.model.setRuntime(kind);
    try {
      await this.use(kind);
    } catch (err) {
      this.opts.log.error(`the ${kind} runtime could not start: ${(err as Error).message}; back to ${previous}`);
      this.opts.model.setRuntime(previous);
      await this.use(previous);
      throw new ApiError(500, `could not start the ${kind} runtime: ${(err as Error).message}`);
    }
  }

  private async use(kind: RuntimeKind): Promise<void> {
    const runtime = await this.opts.createRuntime(kind);
    this.kind = kind;
    const { model } = this.opts;
    const onChange = (list: Replica[]) => model.setReplicas(list, runtime.desired());
    const onProgress = (phase: string) => model.setPhase(phase);
    const onHosts = (hosts: HostDTO[]) => model.setHosts(hosts);
    runtime.on("change", onChange);
    runtime.on("progress", onProgress);
    runtime.on("hosts", onHosts);
    model.setReplicas(runtime.list(), runtime.desired()); // a reattached local cluster has its count
    model.setHosts(runtime.hosts?.() ?? []);
    const bridge = this.opts.createBridge(runtime);
    bridge.on("status", (status, error) => {
      if (status === "up") this.tellTick(runtime.desired(), bridge);
      model.setBridge({ status, ...(bridge.bridgeNode ? { node: bridge.bridgeNode } : {}), ...(error ? { error } : {}) });
      this.opts.onBridgeStatus?.(status);
    });
    bridge.on("frame", (f) => {
      if (f.t === "nodedown" || f.t === "nodeup") runtime.nodeSeen?.(f.node, f.t === "nodeup");
      this.opts.onFrame(f);
    });
    const scaler = new ScaleQueue(runtime, (n, err) => {
      this.opts.log.error(`scale to ${n} failed: ${err.message}`);
      model.failProgress(err.message);
    });
    const unhook = () => {
      runtime.off("change", onChange);
      runtime.off("progress", onProgress);
      runtime.off("hosts", onHosts);
      bridge.removeAllListeners();
    };
    this.current = { runtime, bridge, scaler, unhook };
    await this.check();
  }

  /** The replicas' tick for `replicas` of them, through the bridge (it tells each that joins later too). */
  private tellTick(replicas: number, bridge = this.current?.bridge): void {
    const seconds = netTicktime(meshTickMs(this.opts.tickMs, replicas, os.cpus().length));
    try {
      bridge?.send({ t: "ticktime", seconds });
    } catch (err) {
      this.opts.log.warn(`the replicas' tick (${seconds} s) not sent: ${(err as Error).message}`); // sent again when the bridge is back
    }
  }

  /** Closes the current bridge and runtime; what they say from then on is not listened to. */
  private async retire(why: string): Promise<void> {
    const c = this.current;
    if (!c) return;
    c.scaler.dispose();
    await c.bridge.close(); // its last "down" still reaches the model and the traffic runs
    c.unhook();
    await c.runtime.close();
    for (const n of this.opts.model.upNodes()) this.opts.model.nodeDown(n, why);
  }

  private require(): Current {
    if (!this.current) throw new ApiError(503, "the runtime is not started yet");
    return this.current;
  }

  /** Runs `fn` after every earlier serial call has settled. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }
}
