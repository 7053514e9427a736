// Idle-time heap compaction. Node, unlike a browser, never collects its heap while idle: after a
// storm, the garbage of millions of accounted messages stayed in V8's old space (the server's RSS
// read 227 / 251 / 284 MiB at 1M / 2M / 4M messages, while a heap snapshot, which collects first,
// found 58 and 56 MiB alive). Once the traffic has stopped for a while and the heap holds much
// more than after the last collection, one full collection gives the pages back.
import v8 from "node:v8";
import vm from "node:vm";

/** V8's full collection (`gc()`), without starting Node with --expose-gc; null if V8 refuses. */
export function fullCollection(): (() => void) | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export interface IdleCompactorOptions {
  /** What moves while the server works (messages accounted so far). */
  activity: () => number;
  /** How long `activity` must stand still before a collection (ms). */
  quietMs: number;
  /** How much the heap must have grown since the last collection (bytes). */
  growthBytes: number;
  collect: () => void;
  heapUsed?: () => number;
  now?: () => number;
}

/** A check to run every second or so: true when it collected. */
export function idleCompactor(o: IdleCompactorOptions): () => boolean {
  const heapUsed = o.heapUsed ?? (() => process.memoryUsage().heapUsed);
  const now = o.now ?? Date.now;
  let last = o.activity();
  let quietSince = now();
  let baseline = heapUsed();
  return () => {
    const a = o.activity();
    if (a !== last) {
      last = a;
      quietSince = now();
      return false;
    }
    if (now() - quietSince < o.quietMs || heapUsed() - baseline < o.growthBytes) return false;
    o.collect();
    baseline = heapUsed();
    return true;
  };
}
