"use client";

import type { z } from "zod";
import { errorReply } from "../contracts/http-replies";
import { buildPath } from "../contracts/route-match";
import type { RouteContract } from "../contracts/routes";
import { checked } from "./contract-check";
import { currentToken } from "./token";

/** An HTTP error answered by the server ({error: "message"}) or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The message of an error answer. Lenient on purpose: a 4xx/5xx may come from something other
 * than Swarmscope's handlers (Next.js's 405 has no body, a proxy answers HTML), and the user
 * should still read what went wrong rather than a contract complaint.
 */
export async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = errorReply.safeParse(JSON.parse(text));
    if (body.success) return body.data.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200) || `${res.status} ${res.statusText}`;
}

type Schema<R, K extends string> = R extends { [k in K]: infer S extends z.ZodType } ? S : never;

export interface CallInput<R extends RouteContract> {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: z.input<Schema<R, "body">>;
}

export type ReplyOf<R extends RouteContract> = z.infer<R["reply"]>;

/**
 * Calls one route of the contract (lib/contracts/routes.ts) with the bearer token. Throws
 * ApiError on a non-2xx answer, and ContractError when the reply does not match the route's
 * reply schema: the same schema the server's contract tests check.
 */
export async function call<R extends RouteContract>(route: R, input: CallInput<R> = {}): Promise<ReplyOf<R>> {
  const path = buildPath(route, input.params, input.query);
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (input.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method: route.method,
      headers,
      body: input.body === undefined ? undefined : JSON.stringify(input.body),
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(`Server unreachable (${(err as Error).message})`, 0);
  }
  if (!res.ok) throw new ApiError(await errorMessage(res), res.status);
  const text = await res.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = text;
  }
  return checked(route.reply, raw, `${route.method} ${route.path}`) as ReplyOf<R>;
}
