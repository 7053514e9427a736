"use client";

import { z } from "zod";
import { toast } from "./toasts";

/**
 * A reply or socket event that does not match the shared contract (lib/contracts): a server bug
 * or a server and page of different versions. It is reported, never patched up, and not retried.
 */
export class ContractError extends Error {
  constructor(
    readonly what: string,
    readonly details: string,
  ) {
    super(`${what}: the server's data does not match the contract (${details})`);
    this.name = "ContractError";
  }
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return "invalid";
  const where = first.path.length ? `${first.path.join(".")}: ` : "";
  const more = error.issues.length > 1 ? `, and ${error.issues.length - 1} more` : "";
  return `${where}${first.message}${more}`;
}

/** The data if it matches; else a console warning with every issue, and a ContractError thrown. */
export function checked<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  console.warn(`swarmscope: ${what} does not match the contract\n${z.prettifyError(r.error)}`, raw);
  throw new ContractError(what, describe(r.error));
}

/** For socket events, which have no query to fail: the data, or undefined after a warning and a toast. */
export function checkedEvent<S extends z.ZodType>(schema: S, raw: unknown, event: string): z.infer<S> | undefined {
  try {
    return checked(schema, raw, `socket event "${event}"`);
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    toast("error", err.message, "Live update ignored");
    return undefined;
  }
}
