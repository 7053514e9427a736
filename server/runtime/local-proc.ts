import fs from "node:fs";
import path from "node:path";

// What /proc says about a process: whether a pid still runs the replica we started (a pid can be
// reused by any process once ours is gone), and when it started. Linux only; `root` is a seam
// for tests (a fake /proc folder).

export const PROC_ROOT = "/proc";

/** The process's argv, or null when there is no such process (or it is a zombie: empty cmdline). */
export function cmdlineOf(pid: number, root = PROC_ROOT): string[] | null {
  let raw: string;
  try {
    raw = fs.readFileSync(path.join(root, String(pid), "cmdline"), "utf8");
  } catch {
    return null;
  }
  if (raw === "") return null;
  const args = raw.split("\0");
  if (args.at(-1) === "") args.pop();
  return args;
}

/** Whether the process runs the Erlang node `nodeName` (`-name nodeName` on its command line). */
export function runsNode(pid: number, nodeName: string, root = PROC_ROOT): boolean {
  const args = cmdlineOf(pid, root);
  if (!args) return false;
  return args.some((a, i) => (a === "-name" || a === "-sname") && args[i + 1] === nodeName);
}

/**
 * The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), which no
 * later process with the same pid shares; null when there is no such process.
 */
export function startTicks(pid: number, root = PROC_ROOT): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(path.join(root, String(pid), "stat"), "utf8");
  } catch {
    return null;
  }
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so count after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null; // dead, not yet reaped
  return fields[19] ?? null;
}

/** The replica's process is still the one we started: same node on its command line, same start time. */
export function isReplicaProcess(pid: number, nodeName: string, procStart: string | null, root = PROC_ROOT): boolean {
  if (!runsNode(pid, nodeName, root)) return false;
  const ticks = startTicks(pid, root);
  return ticks !== null && (procStart === null || ticks === procStart);
}

/** Every process whose command line runs one of the given node names (tests, clean-up). */
export function pidsRunning(nodeNames: (name: string) => boolean, root = PROC_ROOT): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const args = cmdlineOf(Number(e), root);
    const i = args?.indexOf("-name") ?? -1;
    if (args && i >= 0 && nodeNames(args[i + 1] ?? "")) out.push(Number(e));
  }
  return out;
}
