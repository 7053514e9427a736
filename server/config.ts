import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { type RuntimeKind, runtimeKind } from "../lib/contracts/common";
import { childEnvironment, isLoopback, toolEnvironment } from "./child-env";

// The only module that reads process.env. Parsed once at start; bad values stop the server
// with a message that names the variable.
const flag = z
  .enum(["", "0", "1", "false", "true"], { error: "must be 1 or 0" })
  .default("")
  .transform((v) => v === "1" || v === "true");

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  SWARMSCOPE_RUNTIME: runtimeKind.default("local"),
  SWARMSCOPE_TOKEN: z.string().min(8, "SWARMSCOPE_TOKEN must be at least 8 characters").optional(),
  SWARMSCOPE_VIEW_TOKEN: z.string().min(8, "SWARMSCOPE_VIEW_TOKEN must be at least 8 characters").optional(),
  SWARMSCOPE_CONTROL_RATE: z.coerce.number().positive().max(1_000_000).default(50),
  SWARMSCOPE_DATA: z.string().min(1).default("data"),
  SWARMSCOPE_STACK: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,30}$/, "SWARMSCOPE_STACK: lowercase letters, digits, - and _, at most 31")
    .default("swarmscope"),
  SWARMSCOPE_SWARM_ADVERTISE: z.string().min(1).optional(),
  SWARMSCOPE_OVERLAY_ENCRYPTED: flag,
  SWARMSCOPE_RETENTION: z.coerce.number().int().min(1000).default(1_000_000),
  SWARMSCOPE_LOSS_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  SWARMSCOPE_TICK_MS: z.coerce.number().int().min(1000, "SWARMSCOPE_TICK_MS must be at least 1000 (ms)").default(2000),
  /** Debug only: hop timestamps of each message on stderr (`[trace] ...`), for the latency bench. */
  SWARMSCOPE_TRACE: z.enum(["0", "1"]).default("0"),
  // Crash tests only: "1" lets a file `store-read-only` in the data folder make the store refuse writes.
  SWARMSCOPE_TEST_HOOKS: z.enum(["0", "1"]).default("0"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Set by npm for the script it runs (`start`, `dev`, `test`, ...). */
  npm_lifecycle_event: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  runtime: RuntimeKind;
  /** The control token: every API call and the socket; control calls (PUT/POST/DELETE) need it. */
  token: string;
  tokenGenerated: boolean;
  /** The read-only token: GETs and the socket's live events; every control call is a 403. */
  viewToken: string;
  /** Control calls per second per token (a token bucket; bursts of 4 s worth). */
  controlRate: number;
  dataDir: string;
  stack: string;
  /** `docker swarm init --advertise-addr` (and its listen address); unset: 127.0.0.1. */
  swarmAdvertise: string | undefined;
  /** The stack's overlay network created with `--opt encrypted` (IPsec between hosts). */
  overlayEncrypted: boolean;
  retention: number;
  lossTimeoutMs: number;
  /** How fast a frozen or cut-off node is declared down: Erlang's net_ticktime, ceil(ms / 1000) s. */
  tickMs: number;
  trace: boolean;
  /** Crash-test hooks (SWARMSCOPE_TEST_HOOKS=1): never on in normal use. */
  testHooks: boolean;
  dev: boolean;
  /** Run by `npm start` or `npm run dev`: the server stops when that npm is gone. */
  underNpm: boolean;
  repoRoot: string;
  /** The environment handed to `erl` children: an allowlist (PATH, HOME, LANG, LC_*, TERM, ...), no secret. */
  childEnv: NodeJS.ProcessEnv;
  /** The environment of the tools the Swarm runtime runs (base image build): childEnv plus Docker and proxy settings. */
  toolEnv: NodeJS.ProcessEnv;
}

export function parseConfig(env: Readonly<Record<string, string | undefined>>, repoRoot = process.cwd()): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  requireSafeBinding(e.HOST, e.SWARMSCOPE_TOKEN);
  if (e.SWARMSCOPE_VIEW_TOKEN !== undefined && e.SWARMSCOPE_VIEW_TOKEN === e.SWARMSCOPE_TOKEN) {
    throw new Error("Invalid configuration: SWARMSCOPE_VIEW_TOKEN must differ from SWARMSCOPE_TOKEN (the view token is handed to an audience)");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    runtime: e.SWARMSCOPE_RUNTIME,
    token: e.SWARMSCOPE_TOKEN ?? randomToken(),
    tokenGenerated: e.SWARMSCOPE_TOKEN === undefined,
    viewToken: e.SWARMSCOPE_VIEW_TOKEN ?? randomToken(),
    controlRate: e.SWARMSCOPE_CONTROL_RATE,
    dataDir: path.resolve(repoRoot, e.SWARMSCOPE_DATA),
    stack: e.SWARMSCOPE_STACK,
    swarmAdvertise: e.SWARMSCOPE_SWARM_ADVERTISE,
    overlayEncrypted: e.SWARMSCOPE_OVERLAY_ENCRYPTED,
    retention: e.SWARMSCOPE_RETENTION,
    lossTimeoutMs: e.SWARMSCOPE_LOSS_TIMEOUT_MS,
    tickMs: e.SWARMSCOPE_TICK_MS,
    trace: e.SWARMSCOPE_TRACE === "1",
    testHooks: e.SWARMSCOPE_TEST_HOOKS === "1",
    dev: e.NODE_ENV !== "production",
    underNpm: e.npm_lifecycle_event === "start" || e.npm_lifecycle_event === "dev",
    repoRoot,
    childEnv: childEnvironment(env),
    toolEnv: toolEnvironment(env),
  };
}

function randomToken(): string {
  return randomBytes(24).toString("base64url");
}

/** A dashboard reachable from other machines only with a token the user chose (and keeps out of logs). */
function requireSafeBinding(host: string, token: string | undefined): void {
  if (isLoopback(host) || token !== undefined) return;
  throw new Error(
    `Refusing to listen on HOST=${host} without SWARMSCOPE_TOKEN: that address is reachable from other machines, and ` +
      "whoever has the token controls your Docker engine and Erlang nodes. Either keep HOST=127.0.0.1 (the default), or set " +
      "SWARMSCOPE_TOKEN to a long random secret of your own (e.g. `openssl rand -base64 32`) and put a TLS proxy in front.",
  );
}

export function loadConfig(): Config {
  return parseConfig(process.env);
}
