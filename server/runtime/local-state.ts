import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

// `<data>/local-replicas.json`: the local replicas that run, so that a server started again on
// the same data folder (after a crash, SIGKILL, OOM) finds and reattaches them instead of starting
// new ones. Written atomically (a temporary file renamed over it) after every change.

export const LOCAL_STATE_FILE = "local-replicas.json";

const entrySchema = z.object({
  slot: z.number().int().min(1),
  nodeName: z.string().min(1),
  pid: z.number().int().min(1),
  /** ms since the epoch, when the server started it. */
  startedAt: z.number(),
  /** Its start time in clock ticks since boot (/proc/<pid>/stat), null when unknown. */
  procStart: z.string().nullable(),
  restarts: z.number().int().min(0),
});
export type LocalStateEntry = z.infer<typeof entrySchema>;

const stateSchema = z.object({
  version: z.literal(1),
  deploymentId: z.string(),
  desired: z.number().int().min(0),
  replicas: z.array(entrySchema),
});
export type LocalState = z.infer<typeof stateSchema>;

export function localStatePath(dataDir: string): string {
  return path.join(dataDir, LOCAL_STATE_FILE);
}

/** The state written by an earlier server; null when there is none. A file that does not parse is an error. */
export function readLocalState(file: string): LocalState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a local replica list: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

export function writeLocalState(file: string, state: LocalState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 1) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Which replicas of an earlier server's state to reattach: those of this deployment, within the
 * desired count, one per slot, whose process is still the one that was started (`alive` checks
 * the pid's command line and start time, so a reused pid is never adopted). The rest are `extra`
 * (alive but beyond the desired count: to stop) or gone.
 */
export function survivors(
  state: LocalState | null,
  deploymentId: string,
  alive: (e: LocalStateEntry) => boolean,
): { desired: number; adopt: LocalStateEntry[]; extra: LocalStateEntry[] } {
  if (!state || state.deploymentId !== deploymentId) return { desired: 0, adopt: [], extra: [] };
  const adopt: LocalStateEntry[] = [];
  const extra: LocalStateEntry[] = [];
  const slots = new Set<number>();
  for (const e of state.replicas) {
    if (!alive(e)) continue;
    if (e.slot > state.desired || slots.has(e.slot)) extra.push(e);
    else {
      slots.add(e.slot);
      adopt.push(e);
    }
  }
  return { desired: state.desired, adopt, extra };
}
