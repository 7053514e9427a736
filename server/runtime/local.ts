import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { ConflictError, NotFoundError } from "../errors";
import type { Logger } from "../log";
import { eachLine, keepLast } from "./lines";
import type { BridgeTransport, DiscoverCommand, Replica, Runtime, RuntimeEvents, RuntimeStatus } from "./types";

export interface LocalRuntimeOptions {
  deploymentId: string;
  erlangHome: string; // HOME for erl: holds .erlang.cookie
  ebin: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  restartDelayMs?: number;
  host?: string;
}

interface LocalReplica {
  slot: number;
  proc: ChildProcess | null;
  state: "starting" | "running" | "restarting" | "exited" | "stopped";
  restarts: number;
  pid?: number;
  error?: string;
  output: string[];
  restartTimer?: NodeJS.Timeout;
  stopping: boolean;
}

/**
 * Replicas as real `erl` processes on 127.0.0.1, restarted when they die (like Swarm's
 * `restart_policy: condition: any`). Each replica reads its stdin and halts when it closes, so
 * replicas never outlive the dashboard.
 */
export class LocalRuntime implements Runtime {
  readonly kind = "local" as const;
  readonly deploymentId: string;
  private readonly replicas = new Map<number, LocalReplica>();
  private desiredCount = 0;
  private readonly emitter = new EventEmitter();
  private readonly host: string;
  private readonly restartDelayMs: number;
  private closed = false;

  constructor(private readonly opts: LocalRuntimeOptions) {
    this.deploymentId = opts.deploymentId;
    this.host = opts.host ?? "127.0.0.1";
    this.restartDelayMs = opts.restartDelayMs ?? 1000;
  }

  async status(): Promise<RuntimeStatus> {
    return { ready: true };
  }

  desired(): number {
    return this.desiredCount;
  }

  nodeName(slot: number): string {
    return `n${slot}-${this.deploymentId}@${this.host}`;
  }

  async scale(n: number): Promise<void> {
    if (this.closed) throw new Error("runtime closed");
    this.desiredCount = n;
    for (let slot = 1; slot <= n; slot++) {
      if (!this.replicas.has(slot)) this.startReplica(slot);
    }
    for (const [slot, r] of this.replicas) {
      if (slot > n) this.stopReplica(r);
    }
    this.changed();
  }

  list(): Replica[] {
    return [...this.replicas.values()]
      .sort((a, b) => a.slot - b.slot)
      .map((r) => ({
        id: `n${r.slot}`,
        slot: r.slot,
        state: r.state,
        host: this.host,
        restarts: r.restarts,
        nodeName: this.nodeName(r.slot),
        ...(r.pid !== undefined ? { pid: r.pid } : {}),
        ...(r.error ? { error: r.error } : {}),
      }));
  }

  async kill(replicaId: string): Promise<void> {
    const r = [...this.replicas.values()].find((x) => `n${x.slot}` === replicaId);
    if (!r) throw new NotFoundError(`no replica ${replicaId} (replicas: ${this.list().map((x) => x.id).join(", ") || "none"})`);
    if (!r.proc) throw new ConflictError(`replica ${replicaId} is not running (${r.state}); it cannot be killed now`);
    this.opts.log.info(`killing replica ${replicaId} (pid ${r.pid})`);
    r.proc.kill("SIGKILL");
  }

  async openBridge(): Promise<BridgeTransport> {
    const proc = spawn(
      "erl",
      ["-noshell", "-noinput", "-hidden", "-name", `bridge-${this.deploymentId}@${this.host}`, "-pa", this.opts.ebin, "-run", "swarmscope_bridge", "main"],
      { env: { ...this.opts.env, HOME: this.opts.erlangHome }, stdio: ["pipe", "pipe", "pipe"] },
    );
    eachLine(proc.stderr!, (line) => this.opts.log.debug(`bridge: ${line}`));
    const exited = new Promise<string>((resolve) => {
      proc.on("error", (err) => resolve(`could not run erl: ${err.message}`));
      proc.on("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
    });
    return {
      input: proc.stdin!,
      output: proc.stdout!,
      onExit: (cb) => void exited.then(cb),
      kill: async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
        await exited;
      },
    };
  }

  discovery(): DiscoverCommand {
    return { t: "discover", mode: "epmd", host: this.host, deployment: this.deploymentId };
  }

  on<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.on(event, cb);
  }

  off<E extends keyof RuntimeEvents>(event: E, cb: RuntimeEvents[E]): void {
    this.emitter.off(event, cb);
  }

  async close(): Promise<void> {
    this.closed = true;
    const waits = [...this.replicas.values()].map((r) => this.stopReplica(r));
    await Promise.all(waits);
  }

  private startReplica(slot: number): void {
    const existing = this.replicas.get(slot);
    const r: LocalReplica = existing ?? { slot, proc: null, state: "starting", restarts: 0, output: [], stopping: false };
    this.replicas.set(slot, r);
    r.state = "starting";
    r.error = undefined;
    const proc = spawn(
      "erl",
      ["-noshell", "-noinput", "-name", this.nodeName(slot), "-pa", this.opts.ebin, "-run", "swarmscope_node", "main"],
      {
        env: { ...this.opts.env, HOME: this.opts.erlangHome, SWARMSCOPE_EXIT_ON_EOF: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    r.proc = proc;
    r.pid = proc.pid;
    const keep = (line: string) => keepLast(r.output, line, 20);
    eachLine(proc.stdout!, keep);
    eachLine(proc.stderr!, keep);
    proc.on("spawn", () => {
      if (r.proc === proc) {
        r.state = "running";
        this.changed();
      }
    });
    proc.on("error", (err) => {
      r.error = `could not run erl: ${err.message}`;
    });
    proc.on("exit", (code, signal) => this.onExit(r, proc, code, signal));
  }

  private onExit(r: LocalReplica, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (r.proc !== proc) return;
    r.proc = null;
    r.pid = undefined;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    if (r.stopping || this.closed || r.slot > this.desiredCount) {
      r.state = "stopped";
      this.replicas.delete(r.slot);
      // Scaled back up while it was stopping (5 → 3 → 5): a fresh replica takes the slot.
      if (!this.closed && r.slot <= this.desiredCount) this.startReplica(r.slot);
      this.changed();
      return;
    }
    r.state = "restarting";
    r.error = `${how}${r.output.length ? `: ${r.output[r.output.length - 1]}` : ""}`;
    this.opts.log.warn(`replica n${r.slot} ended (${how}); restarting in ${this.restartDelayMs} ms`);
    this.changed();
    r.restartTimer = setTimeout(() => {
      if (this.closed || r.slot > this.desiredCount || this.replicas.get(r.slot) !== r) return;
      r.restarts++;
      this.startReplica(r.slot);
      this.changed();
    }, this.restartDelayMs);
  }

  private stopReplica(r: LocalReplica): Promise<void> {
    r.stopping = true;
    if (r.restartTimer) clearTimeout(r.restartTimer);
    const proc = r.proc;
    if (!proc) {
      this.replicas.delete(r.slot);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
      setTimeout(() => proc.kill("SIGKILL"), 3000).unref();
    });
  }

  private changed(): void {
    this.emitter.emit("change", this.list());
  }
}
