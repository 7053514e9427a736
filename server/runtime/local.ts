import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConflictError, NotFoundError } from "../errors";
import type { Logger } from "../log";
import { INETRC, meshTickMs, replicaArgs, replicaNice } from "./local-args";
import { spawnLocalBridge } from "./local-bridge";
import { isReplicaProcess, PROC_ROOT } from "./local-proc";
import { adoptReplica, type ReplicaProcess, setReplicaNice, type SpawnOptions, spawnReplica } from "./local-process";
import { type LocalState, localStatePath, readLocalState, survivors, writeLocalState } from "./local-state";
import { RuntimeEmitter } from "./runtime-emitter";
import type { BridgeTransport, DiscoverCommand, Replica, Runtime, RuntimeStatus } from "./types";

export interface LocalRuntimeOptions {
  deploymentId: string;
  erlangHome: string; // HOME for erl: holds .erlang.cookie
  ebin: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Holds local-replicas.json and the replicas' logs (replicas/n3.log). */
  dataDir: string;
  tickMs?: number;
  restartDelayMs?: number;
  /** How often adopted replicas are checked (they are not our children: no exit status). */
  pollMs?: number;
  host?: string;
  /** Seams for unit tests: a fake /proc folder, a fake process start. */
  procRoot?: string;
  spawn?: (o: SpawnOptions) => ReplicaProcess;
}

/**
 * Replicas started in one turn of the event loop. Starting a process forks the server (≈25 ms
 * each here): 50 in one go held the deploy's own answer for 1.3 s. In turns of a few, the server
 * answers, and serves the page, between them.
 */
export const STARTS_PER_TURN = 4;

interface LocalReplica {
  slot: number;
  proc: ReplicaProcess | null;
  state: "starting" | "running" | "restarting" | "stopped";
  restarts: number;
  error?: string;
  restartTimer?: NodeJS.Timeout;
  stopping: boolean;
  onStopped: (() => void)[];
}

/**
 * Replicas as real `erl` processes on 127.0.0.1, restarted when they die (like Swarm's
 * `restart_policy: condition: any`). They run detached and are listed in the data folder, so a
 * server that crashes leaves them running and the next server on that folder reattaches them
 * (same OS pids) and starts only what is missing. A graceful stop (close) stops them.
 */
export class LocalRuntime extends RuntimeEmitter implements Runtime {
  readonly kind = "local" as const;
  readonly deploymentId: string;
  private readonly replicas = new Map<number, LocalReplica>();
  private desiredCount = 0;
  private readonly host: string;
  private readonly restartDelayMs: number;
  private readonly tickMs: number;
  private readonly procRoot: string;
  private readonly stateFile: string;
  private readonly logDir: string;
  private readonly inetrc: string;
  private readonly poller: NodeJS.Timeout;
  private persistQueued = false;
  private closed = false;
  /** Slots waiting for their start (STARTS_PER_TURN a turn), in order. */
  private readonly waiting: number[] = [];
  private startsQueued = false;

  constructor(private readonly opts: LocalRuntimeOptions) {
    super();
    this.deploymentId = opts.deploymentId;
    this.host = opts.host ?? "127.0.0.1";
    this.restartDelayMs = opts.restartDelayMs ?? 1000;
    this.tickMs = opts.tickMs ?? 2000;
    this.procRoot = opts.procRoot ?? PROC_ROOT;
    this.stateFile = localStatePath(opts.dataDir);
    this.logDir = path.join(opts.dataDir, "replicas");
    fs.mkdirSync(this.logDir, { recursive: true, mode: 0o700 });
    this.inetrc = path.join(this.logDir, "inetrc");
    fs.writeFileSync(this.inetrc, INETRC);
    // Not unref'd: while close() waits for the replicas to end, it is what keeps the process up
    // (the replicas themselves are detached and unref'd).
    this.poller = setInterval(() => this.poll(), opts.pollMs ?? 250);
  }

  /**
   * Reattaches the replicas an earlier server on this data folder left running (their pid still
   * runs their node, started when it was), stops those beyond its desired count, and starts the
   * missing ones. Returns how many were reattached.
   */
  resume(): number {
    let state: LocalState | null = null;
    try {
      state = readLocalState(this.stateFile);
    } catch (err) {
      this.opts.log.warn(`ignoring the local replica list: ${(err as Error).message}`);
    }
    const found = survivors(state, this.deploymentId, (e) => e.nodeName === this.nodeName(e.slot) && isReplicaProcess(e.pid, e.nodeName, e.procStart, this.procRoot));
    for (const e of found.extra) {
      this.opts.log.info(`stopping replica n${e.slot} (pid ${e.pid}) left beyond the desired ${found.desired}`);
      const p = adoptReplica(e, this.procRoot);
      if (p.signal("SIGTERM")) setTimeout(() => p.signal("SIGKILL"), 3000).unref();
    }
    for (const e of found.adopt) {
      const r = this.newReplica(e.slot, e.restarts);
      this.attach(r, adoptReplica(e, this.procRoot));
      r.state = "running";
    }
    if (found.adopt.length > 0) this.opts.log.info(`reattached ${found.adopt.length} running replicas: ${found.adopt.map((e) => `n${e.slot} (pid ${e.pid})`).join(", ")}`);
    this.desiredCount = found.desired;
    this.queueMissing();
    this.persistSoon();
    return found.adopt.length;
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
    const nice = replicaNice(n);
    // Those this server started take the new size's priority too (not an adopted pid: between two polls it may be another process's).
    if (nice !== replicaNice(this.desiredCount)) {
      for (const r of this.replicas.values()) if (r.proc && !r.proc.adopted && r.slot <= n) setReplicaNice(r.proc.pid, nice, this.procRoot);
    }
    this.desiredCount = n;
    this.queueMissing();
    for (const [slot, r] of this.replicas) {
      if (slot > n) void this.stopReplica(r);
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
        ...(r.proc && r.proc.pid > 0 ? { pid: r.proc.pid } : {}),
        ...(r.error ? { error: r.error } : {}),
      }));
  }

  kill = (replicaId: string): Promise<void> => this.signal(replicaId, "SIGKILL", "killed");
  /** SIGSTOP / SIGCONT of the replica's erl process: its node goes down after the net tick. */
  freeze = (replicaId: string): Promise<void> => this.signal(replicaId, "SIGSTOP", "frozen");
  thaw = (replicaId: string): Promise<void> => this.signal(replicaId, "SIGCONT", "thawed");

  private async signal(replicaId: string, sig: NodeJS.Signals, verb: string): Promise<void> {
    const r = [...this.replicas.values()].find((x) => `n${x.slot}` === replicaId);
    if (!r) throw new NotFoundError(`no replica ${replicaId} (replicas: ${this.list().map((x) => x.id).join(", ") || "none"})`);
    const notRunning = () => new ConflictError(`replica ${replicaId} is not running (${r.state}); it cannot be ${verb} now`);
    if (!r.proc) throw notRunning();
    this.opts.log.info(`${sig} to replica ${replicaId} (pid ${r.proc.pid})`);
    if (!r.proc.signal(sig)) throw notRunning();
  }

  /** The bridge saw this node go down: check its process now rather than at the next poll. */
  nodeSeen(nodeName: string, up: boolean): void {
    if (up) return;
    for (const r of this.replicas.values()) if (this.nodeName(r.slot) === nodeName) r.proc?.poll();
  }

  async openBridge(): Promise<BridgeTransport> {
    const env = { ...this.opts.env, HOME: this.opts.erlangHome };
    return spawnLocalBridge({ nodeName: `bridge-${this.deploymentId}@${this.host}`, ebin: this.opts.ebin, tickMs: this.tickMs, env, log: this.opts.log });
  }

  discovery(): DiscoverCommand {
    return { t: "discover", mode: "epmd", host: this.host, deployment: this.deploymentId };
  }

  /** A graceful stop: every replica is stopped (SIGTERM, SIGKILL after 3 s) and the list emptied. */
  async close(): Promise<void> {
    this.closed = true;
    this.desiredCount = 0;
    this.waiting.length = 0;
    await Promise.all([...this.replicas.values()].map((r) => this.stopReplica(r)));
    clearInterval(this.poller);
    this.persist();
  }

  private newReplica(slot: number, restarts: number): LocalReplica {
    const r: LocalReplica = { slot, proc: null, state: "starting", restarts, stopping: false, onStopped: [] };
    this.replicas.set(slot, r);
    return r;
  }

  /** Every missing slot up to the desired count: the first few start now, the rest in the next turns (listed as starting meanwhile). */
  private queueMissing(): void {
    for (let slot = 1; slot <= this.desiredCount; slot++) {
      if (this.replicas.has(slot)) continue;
      this.newReplica(slot, 0);
      this.waiting.push(slot);
    }
    this.nextStarts();
  }

  /** Starts up to STARTS_PER_TURN waiting replicas, and the rest in the next turn; one scaled away meanwhile is skipped. */
  private nextStarts(): void {
    let started = 0;
    while (started < STARTS_PER_TURN && this.waiting.length > 0) {
      const slot = this.waiting.shift()!;
      const r = this.replicas.get(slot);
      if (this.closed || !r || r.proc || r.stopping || slot > this.desiredCount) continue;
      this.startReplica(slot);
      started++;
    }
    if (this.waiting.length > 0 && !this.startsQueued) {
      this.startsQueued = true;
      setImmediate(() => {
        this.startsQueued = false;
        this.nextStarts();
      });
    }
  }

  private startReplica(slot: number): void {
    const r = this.replicas.get(slot) ?? this.newReplica(slot, 0);
    r.state = "starting";
    r.error = undefined;
    const nodeName = this.nodeName(slot);
    const logFile = path.join(this.logDir, `n${slot}.log`);
    if (fs.existsSync(logFile)) fs.renameSync(logFile, `${logFile}.prev`); // the last run's log is kept
    const proc = (this.opts.spawn ?? spawnReplica)({
      nodeName,
      args: replicaArgs({ nodeName, ebin: this.opts.ebin, tickMs: meshTickMs(this.tickMs, this.desiredCount, os.cpus().length), inetrc: this.inetrc }),
      env: { ...this.opts.env, HOME: this.opts.erlangHome },
      logFile,
      nice: replicaNice(this.desiredCount),
      procRoot: this.procRoot,
      onSpawn: () => {
        if (r.proc !== proc || r.state !== "starting") return;
        r.state = "running";
        this.changed();
      },
    });
    this.attach(r, proc);
    this.persistSoon();
  }

  private attach(r: LocalReplica, proc: ReplicaProcess): void {
    r.proc = proc;
    proc.onExit((how) => this.onExit(r, proc, how));
  }

  private onExit(r: LocalReplica, proc: ReplicaProcess, how: string): void {
    if (r.proc !== proc) return;
    r.proc = null;
    this.persistSoon();
    if (r.stopping || this.closed || r.slot > this.desiredCount) {
      r.state = "stopped";
      this.replicas.delete(r.slot);
      for (const done of r.onStopped.splice(0)) done();
      // Scaled back up while it was stopping (5 → 3 → 5): a fresh replica takes the slot.
      if (!this.closed && r.slot <= this.desiredCount) this.startReplica(r.slot);
      this.changed();
      return;
    }
    r.state = "restarting";
    r.error = how; // only how it ended: its last log line may be about anything
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
      this.persistSoon();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      r.onStopped.push(resolve);
      if (proc.signal("SIGTERM")) {
        setTimeout(() => proc.signal("SIGKILL"), 3000).unref();
        return;
      }
      proc.poll(); // gone already: its exit ends the stop
      if (r.proc === proc && proc.adopted) {
        this.opts.log.warn(`replica n${r.slot} (pid ${proc.pid}) could not be signalled; left as it is`);
        this.onExit(r, proc, "could not be signalled");
      }
    });
  }

  private poll(): void {
    for (const r of [...this.replicas.values()]) r.proc?.poll();
  }

  /** Written once the current operation is done (a scale of 200 writes the file once). */
  private persistSoon(): void {
    if (this.persistQueued) return;
    this.persistQueued = true;
    queueMicrotask(() => {
      this.persistQueued = false;
      this.persist();
    });
  }

  private persist(): void {
    const replicas = [...this.replicas.values()].sort((a, b) => a.slot - b.slot).flatMap((r) => {
      const p = r.proc;
      if (!p || p.pid <= 0) return [];
      return [{ slot: r.slot, nodeName: p.nodeName, pid: p.pid, startedAt: p.startedAt, procStart: p.procStart, restarts: r.restarts }];
    });
    try {
      writeLocalState(this.stateFile, { version: 1, deploymentId: this.deploymentId, desired: this.desiredCount, replicas });
    } catch (err) {
      this.opts.log.error(`could not write ${this.stateFile}: ${(err as Error).message}; a crash now would orphan the replicas`);
    }
  }

  private changed(): void {
    this.emitter.emit("change", this.list());
  }
}
