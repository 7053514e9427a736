import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { type RuntimeKind, runtimeKind } from "../lib/contracts/common";

// The only module that reads process.env. Parsed once at start; bad values stop the server
// with a message that names the variable.
const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  SWARMSCOPE_RUNTIME: runtimeKind.default("local"),
  SWARMSCOPE_TOKEN: z.string().min(8, "SWARMSCOPE_TOKEN must be at least 8 characters").optional(),
  SWARMSCOPE_DATA: z.string().min(1).default("data"),
  SWARMSCOPE_STACK: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,30}$/, "SWARMSCOPE_STACK: lowercase letters, digits, - and _, at most 31")
    .default("swarmscope"),
  SWARMSCOPE_RETENTION: z.coerce.number().int().min(1000).default(1_000_000),
  SWARMSCOPE_LOSS_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  // Crash tests only: "1" lets a file `store-read-only` in the data folder make the store refuse writes.
  SWARMSCOPE_TEST_HOOKS: z.enum(["0", "1"]).default("0"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export interface Config {
  port: number;
  host: string;
  runtime: RuntimeKind;
  token: string;
  tokenGenerated: boolean;
  dataDir: string;
  stack: string;
  retention: number;
  lossTimeoutMs: number;
  /** Crash-test hooks (SWARMSCOPE_TEST_HOOKS=1): never on in normal use. */
  testHooks: boolean;
  dev: boolean;
  repoRoot: string;
  /** The environment handed to child processes (erl). */
  childEnv: NodeJS.ProcessEnv;
}

export function parseConfig(env: NodeJS.ProcessEnv, repoRoot = process.cwd()): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    runtime: e.SWARMSCOPE_RUNTIME,
    token: e.SWARMSCOPE_TOKEN ?? randomBytes(24).toString("base64url"),
    tokenGenerated: e.SWARMSCOPE_TOKEN === undefined,
    dataDir: path.resolve(repoRoot, e.SWARMSCOPE_DATA),
    stack: e.SWARMSCOPE_STACK,
    retention: e.SWARMSCOPE_RETENTION,
    lossTimeoutMs: e.SWARMSCOPE_LOSS_TIMEOUT_MS,
    testHooks: e.SWARMSCOPE_TEST_HOOKS === "1",
    dev: e.NODE_ENV !== "production",
    repoRoot,
    childEnv: { ...env },
  };
}

export function loadConfig(): Config {
  return parseConfig(process.env);
}
