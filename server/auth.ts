import { timingSafeEqual } from "node:crypto";
import type { AccessRole } from "../lib/contracts/common";

/** The two credentials: `control` may do everything, `view` may only read (GETs, the socket's events). */
export interface Credentials {
  control: string;
  view: string;
}
export type Role = AccessRole;

export function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Which credential `given` is, or null (both compared, in constant time each). */
export function roleOf(given: unknown, creds: Credentials): Role | null {
  if (typeof given !== "string" || given.length === 0) return null;
  const control = tokenMatches(given, creds.control);
  const view = tokenMatches(given, creds.view);
  return control ? "control" : view ? "view" : null;
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearer(header: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : null;
}

/** Methods that change something: the control token only, and rate-limited. */
export function isControlMethod(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

/** Query parameters that look like a credential: never accepted by the API (URLs end up in logs and history). */
export const URL_TOKEN_PARAMS = ["token", "view", "access_token"] as const;
