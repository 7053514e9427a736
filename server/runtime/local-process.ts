import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isReplicaProcess, PROC_ROOT, startTicks } from "./local-proc";
import type { LocalStateEntry } from "./local-state";

/**
 * One replica's OS process, started here or adopted from an earlier server. Neither holds a pipe
 * to it: it runs detached (its own session and process group, stdio to a log file), so it outlives
 * a server that crashes. A process started here reports its end through its exit status; an
 * adopted one (not our child) is found gone by `poll()`, which also treats a pid now used by
 * another process as gone.
 */
export interface ReplicaProcess {
  readonly pid: number;
  readonly nodeName: string;
  /** ms since the epoch. */
  readonly startedAt: number;
  readonly procStart: string | null;
  readonly adopted: boolean;
  /** Sends a signal if the pid is still this replica; false when it is not (gone or reused). */
  signal(sig: NodeJS.Signals): boolean;
  /** Checks an adopted process is still there; ends it (onExit) if not. No-op for a child. */
  poll(): void;
  /** Called once, with how it ended ("killed by SIGKILL", "exit code 1"). */
  onExit(cb: (how: string) => void): void;
}

export interface SpawnOptions {
  nodeName: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Its priority (replicaNice). */
  nice: number;
  onSpawn: () => void;
  procRoot?: string;
}

class Proc implements ReplicaProcess {
  private exitCbs: ((how: string) => void)[] = [];
  private ended = false;
  private lastSignal: NodeJS.Signals | null = null;

  constructor(
    readonly pid: number,
    readonly nodeName: string,
    readonly startedAt: number,
    readonly procStart: string | null,
    readonly adopted: boolean,
    private readonly procRoot: string,
  ) {}

  alive(): boolean {
    return !this.ended && isReplicaProcess(this.pid, this.nodeName, this.procStart, this.procRoot);
  }

  signal(sig: NodeJS.Signals): boolean {
    if (this.ended || this.pid <= 0) return false;
    if (this.adopted && !this.alive()) {
      this.poll();
      return false;
    }
    try {
      process.kill(this.pid, sig);
    } catch {
      return false;
    }
    this.lastSignal = sig;
    return true;
  }

  poll(): void {
    if (!this.adopted || this.ended || this.alive()) return;
    this.end(this.lastSignal ? `killed by ${this.lastSignal}` : "ended (exit status unknown: not started by this server)");
  }

  onExit(cb: (how: string) => void): void {
    this.exitCbs.push(cb);
  }

  end(how: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const cb of this.exitCbs) cb(how);
  }
}

/**
 * Sets a replica's priority (local-args.ts, replicaNice): its nice (inherited by the VM's
 * threads when set at its start) and, as each detached replica is a session of its own, its
 * session's autogroup, which is what the Linux scheduler weighs against the dashboard's session.
 * Best effort: a kernel without autogroups has no such file; a process gone says so by its exit.
 */
export function setReplicaNice(pid: number, nice: number, root = PROC_ROOT): void {
  try {
    os.setPriority(pid, nice);
  } catch {
    // gone already
  }
  try {
    fs.writeFileSync(path.join(root, String(pid), "autogroup"), String(nice));
  } catch {
    // no autogroups here
  }
}

/** Starts a replica detached at priority `nice`, its stdout and stderr appended to `logFile`. */
export function spawnReplica(o: SpawnOptions): ReplicaProcess {
  const root = o.procRoot ?? PROC_ROOT;
  const fd = fs.openSync(o.logFile, "a", 0o600);
  let child;
  try {
    child = spawn("erl", o.args, { env: o.env, detached: true, stdio: ["ignore", fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  const pid = child.pid ?? 0;
  if (pid > 0) setReplicaNice(pid, o.nice, root);
  const proc = new Proc(pid, o.nodeName, Date.now(), pid > 0 ? startTicks(pid, root) : null, false, root);
  child.unref();
  child.on("spawn", o.onSpawn);
  child.on("error", (err) => proc.end(`could not run erl: ${err.message}`));
  child.on("exit", (code, signal) => proc.end(signal ? `killed by ${signal}` : `exit code ${code}`));
  return proc;
}

/** Takes over a replica an earlier server started (checked alive by the caller). */
export function adoptReplica(e: LocalStateEntry, procRoot = PROC_ROOT): ReplicaProcess {
  return new Proc(e.pid, e.nodeName, e.startedAt, e.procStart, true, procRoot);
}
