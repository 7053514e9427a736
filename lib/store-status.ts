import { z } from "zod";

/**
 * The store writer's health (GET /api/health `store`): whether the last write to SQLite worked,
 * since when, the last write error, and what waits in memory to be written. While writes fail
 * (disk full, database locked or read-only) nothing is lost until the queue's bound is reached;
 * past it the oldest queued updates are dropped and counted in `dropped`, never silently.
 */
export const storeStatusSchema = z.object({
  ok: z.boolean(),
  /** When the current state (ok or failing) began, ms epoch. */
  since: z.number(),
  lastError: z.string().nullable(),
  lastErrorAt: z.number().nullable(),
  /** Failed attempts in a row (0 when ok). */
  failures: z.number().int().min(0),
  /** When the next attempt runs while failing, ms epoch. */
  retryAt: z.number().nullable(),
  queued: z.object({ messages: z.number().int().min(0), events: z.number().int().min(0) }),
  dropped: z.object({ messages: z.number().int().min(0), events: z.number().int().min(0) }),
});

export type StoreStatus = z.infer<typeof storeStatusSchema>;
