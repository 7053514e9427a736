// Helpers for the Swarm tests: probing the engine, talking to a bridge in frames, waiting.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FrameReader, encodeFrame } from "../../server/bridge/frames";
import { createLogger, type Logger } from "../../server/log";
import { SwarmRuntime, type SwarmRuntimeOptions } from "../../server/runtime/swarm";
import type { BridgeTransport, Replica } from "../../server/runtime/types";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
export const onCI = process.env.CI === "true";

export interface Frame {
  t: string;
  node?: string;
  [k: string]: unknown;
}

export interface Stamped {
  at: number; // ms epoch when it arrived
  frame: Frame;
}

/**
 * The gate each Swarm suite starts with: without a usable Swarm it skips, saying why, except on
 * CI (CI=true), where its beforeAll then fails.
 */
export async function swarmGate(): Promise<{ probe: Awaited<ReturnType<typeof probeSwarm>>; skip: boolean }> {
  const probe = await probeSwarm();
  const skip = !probe.ok && !onCI;
  if (skip) console.warn(`[swarm tests] skipped: ${probe.ok ? "" : probe.reason} (set CI=true to make this a failure)`);
  return { probe, skip };
}

/**
 * Whether a Docker engine in swarm mode is reachable. An engine that is up but not in swarm mode
 * is put in swarm mode (what the dashboard's "initialise" button does).
 */
export async function probeSwarm(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const rt = new SwarmRuntime({ deploymentId: "probe", stack: "probe", cookie: "PROBE", repoRoot, log: quietLog() });
  try {
    let st = await rt.status();
    if (!st.ready && st.canInit) {
      await rt.init();
      st = await rt.status();
    }
    return st.ready ? { ok: true } : { ok: false, reason: st.problem ?? "not ready" };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  } finally {
    await rt.close();
  }
}

/** erlang/ebin must hold the compiled node app before the image can be built (incremental). */
export function ensureErlangBuilt(): void {
  const script = path.join(repoRoot, "scripts", "build-erlang.sh");
  if (fs.existsSync(script)) execFileSync("bash", [script], { stdio: "inherit" });
  const ebin = path.join(repoRoot, "erlang", "ebin");
  const beams = fs.existsSync(ebin) ? fs.readdirSync(ebin).filter((f) => f.endsWith(".beam")) : [];
  if (beams.length === 0) throw new Error(`${ebin} has no .beam files`);
}

export function randomCookie(): string {
  return Array.from(randomBytes(32), (b) => String.fromCharCode(65 + (b % 26))).join("");
}

export function randomId(prefix: string): string {
  return prefix + randomBytes(3).toString("hex");
}

export function quietLog(): Logger {
  const noop = () => {};
  return { debug: noop, info: noop, warn: noop, error: noop };
}

export function testLog(scope: string): Logger {
  return process.env.SWARM_TEST_VERBOSE === "1" ? createLogger(scope) : { ...quietLog(), error: createLogger(scope).error };
}

export function newRuntime(opts: Partial<SwarmRuntimeOptions> & { stack: string }): SwarmRuntime {
  return new SwarmRuntime({
    deploymentId: opts.deploymentId ?? randomId("t"),
    cookie: opts.cookie ?? randomCookie(),
    repoRoot,
    log: opts.log ?? testLog(`swarm:${opts.stack}`),
    relistMs: 2000,
    ...opts,
  });
}

/** Polls `cond` every 50 ms until it holds, or fails after `timeoutMs` with `what` and `state()`. */
export async function eventually<T>(
  cond: () => T | undefined | null | false,
  timeoutMs: number,
  what: string,
  state: () => unknown = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; state: ${JSON.stringify(state())}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function running(replicas: Replica[]): Replica[] {
  return replicas.filter((r) => r.state === "running" && r.ip && r.nodeName);
}

/** The bridge's side of the framed stdio: every frame kept with its arrival time. */
export class BridgeSession {
  readonly frames: Stamped[] = [];
  exitReason: string | null = null;
  private readonly reader: FrameReader;

  constructor(readonly transport: BridgeTransport) {
    this.reader = new FrameReader((buf) => {
      const frame = JSON.parse(buf.toString("utf8")) as Frame;
      this.frames.push({ at: Date.now(), frame });
      // Committed as the server does once stored: a node holds its next reports until then (erlang/PROTOCOL.md).
      if (frame.t === "report" && typeof frame.rseq === "number") this.send({ t: "commit", node: frame.node, inc: frame.inc, upto: frame.rseq });
    });
    transport.output.on("data", (chunk: Buffer) => this.reader.push(chunk));
    transport.onExit((reason) => {
      this.exitReason = reason;
    });
  }

  send(cmd: object): void {
    this.transport.input.write(encodeFrame(cmd));
  }

  find(pred: (f: Frame) => boolean, since = 0): Stamped | undefined {
    return this.frames.find((s) => s.at >= since && pred(s.frame));
  }

  /** Nodes up now: the last nodeup/nodedown frame for each node decides. */
  upNodes(): Set<string> {
    const up = new Set<string>();
    for (const { frame } of this.frames) {
      if (frame.t === "nodeup" && frame.node) up.add(frame.node);
      if (frame.t === "nodedown" && frame.node) up.delete(frame.node);
    }
    return up;
  }

  /** The latest `links` frame of each node. */
  links(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const { frame } of this.frames) {
      if (frame.t === "links" && frame.node) m.set(frame.node, frame.links as string[]);
    }
    return m;
  }

  /** Node events (sent, received, acked, ...) of the reports, with the node that reported them. */
  events(): Array<{ at: number; node: string; e: string; id?: string; [k: string]: unknown }> {
    const out: Array<{ at: number; node: string; e: string; id?: string }> = [];
    for (const { at, frame } of this.frames) {
      if (frame.t !== "report" || !Array.isArray(frame.events)) continue;
      for (const ev of frame.events as Array<{ e: string; id?: string }>) out.push({ at, node: frame.node ?? "", ...ev });
    }
    return out;
  }

  /** True when every node in `nodes` has a link to every other one. */
  fullMesh(nodes: string[]): boolean {
    const links = this.links();
    return nodes.every((n) => {
      const l = new Set(links.get(n) ?? []);
      return nodes.every((m) => m === n || l.has(m));
    });
  }

  summary(): unknown {
    return {
      exit: this.exitReason,
      up: [...this.upNodes()],
      last: this.frames.slice(-8).map((s) => s.frame),
    };
  }
}

export function docker(args: string[], input?: string): string {
  return execFileSync("docker", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] }).trim();
}

/** Removes what a test stack left (services: the node and the bridge; network, secret), tolerating what is already gone. */
export async function removeStackLeftovers(stack: string, secrets: string[]): Promise<void> {
  const services = docker(["service", "ls", "-q", "--filter", `label=com.docker.stack.namespace=${stack}`]).split("\n").filter(Boolean);
  for (const args of [["service", "rm", `${stack}_node`], ...services.map((id) => ["service", "rm", id])]) {
    try {
      docker(args);
    } catch {
      /* absent */
    }
  }
  for (let i = 0; i < 40; i++) {
    try {
      docker(["network", "rm", `${stack}_net`]);
      break;
    } catch (err) {
      // retry only while tasks are still leaving the network
      if (!/in use|active endpoints/i.test(String((err as { stderr?: string }).stderr ?? err))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  // Removed, a swarm network still lists (with no driver) for a while: the next test's stack
  // would find it half gone. Wait until Docker no longer lists it (up to 30 s).
  for (let i = 0; i < 60 && docker(["network", "ls", "-q", "--filter", `name=^${stack}_net$`]) !== ""; i++) {
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const s of secrets) {
    try {
      docker(["secret", "rm", s]);
    } catch {
      /* absent */
    }
  }
}

/** Measurements, printed at the end of a run (and kept in a file for reports). */
export const measurements: Record<string, number> = {};
export function measure(name: string, ms: number): void {
  measurements[name] = ms;
  process.stdout.write(`[swarm timing] ${name}: ${ms} ms\n`);
}
export function saveMeasurements(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(measurements, null, 2));
  } catch {
    /* only a report */
  }
}
