import { z } from "zod";
import { FrameReader, encodeFrame } from "../bridge/frames";
import { ConflictError, NotFoundError, UnavailableError } from "../errors";
import type { Logger } from "../log";
import type { BridgeTransport } from "./types";

/** What an agent does for the dashboard on its host (erlang/PROTOCOL.md, "Host agent"). */
export type AgentOp =
  | { op: "kill" | "pause" | "unpause"; container: string }
  | { op: "block" | "unblock"; container: string; ips: string[] };

/** An agent the relay reached: the Swarm node (host) it serves. */
export interface AgentInfo {
  node: string;
  host: string; // Swarm node id
  hostname: string;
  engine: string;
}

const agentFrame = z.object({ t: z.literal("agent"), node: z.string(), host: z.string(), hostname: z.string(), engine: z.string() });
const agentDownFrame = z.object({ t: z.literal("agent_down"), node: z.string(), host: z.string() });
const replyFrame = z.object({ t: z.literal("reply"), ref: z.string(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() });
const relayFrame = z.discriminatedUnion("t", [
  agentFrame,
  agentDownFrame,
  replyFrame,
  z.object({ t: z.literal("hello"), relay: z.string() }),
  z.object({ t: z.literal("log"), level: z.string(), msg: z.string() }),
]);

export interface RelayOptions {
  /** Starts the relay container (the entrypoint's `relay` role) and attaches to its stdio. */
  open: () => Promise<BridgeTransport>;
  /** How the relay finds the agents: `tasks.<stack>_agent`, nodes `<name>@<ip>` (asked at each start). */
  discover: () => Promise<{ query: string; name: string }>;
  log: Logger;
  /** The agents reachable now changed. */
  onAgents: (agents: ReadonlyMap<string, AgentInfo>) => void;
  /** How long a call waits for its host's agent to be found, then for its answer (ms). */
  agentWaitMs?: number;
  callTimeoutMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The dashboard's side of the relay: a container on the overlay network that reaches every
 * host's agent over Erlang distribution (erlang/src/swarmscope_relay.erl). Started on demand and
 * again when it ends; calls go to the agent of one Swarm node and come back as replies.
 */
export class AgentRelay {
  private transport: BridgeTransport | null = null;
  private starting: Promise<BridgeTransport> | null = null;
  private readonly agents = new Map<string, AgentInfo>();
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;
  private closed = false;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: RelayOptions) {}

  /** The agents reachable now, by Swarm node id. */
  reachable(): ReadonlyMap<string, AgentInfo> {
    return this.agents;
  }

  /** Starts the relay unless it runs (or is starting). */
  async ensure(): Promise<void> {
    if (this.closed) throw new UnavailableError("the Swarm runtime is closed");
    if (this.transport) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  /** Runs `op` through the agent on Swarm node `host`; Docker's answers become 404/409 errors. */
  async call(host: string, op: AgentOp): Promise<unknown> {
    await this.ensure();
    await this.agentOn(host);
    const ref = `a${++this.seq}`;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new UnavailableError(`the agent on ${this.hostname(host)} did not answer ${op.op} within ${(this.o.callTimeoutMs ?? 20_000) / 1000} s`));
      }, this.o.callTimeoutMs ?? 20_000);
      this.pending.set(ref, { resolve, reject, timer });
    });
    this.transport!.input.write(encodeFrame({ t: "call", ref, host, ...op }));
    try {
      return await answer;
    } catch (err) {
      throw agentError(err as Error, op, this.hostname(host));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const t = this.transport ?? (await this.starting?.catch(() => null));
    await t?.kill();
  }

  private hostname(host: string): string {
    return this.agents.get(host)?.hostname ?? host.slice(0, 12);
  }

  /** Waits until the agent of `host` is known (a deploy just made it, or the relay just started). */
  private async agentOn(host: string): Promise<void> {
    const deadline = Date.now() + (this.o.agentWaitMs ?? 15_000);
    while (!this.agents.has(host)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new UnavailableError(`no Swarmscope agent reachable on host ${host.slice(0, 12)}: is the stack's agent service running there?`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  private async start(): Promise<BridgeTransport> {
    const target = await this.o.discover();
    const t = await this.o.open();
    const reader = new FrameReader(
      (buf) => this.onFrame(buf),
      (err) => this.o.log.warn(`relay frames: ${err.message}`),
    );
    t.output.on("data", (chunk: Buffer) => reader.push(chunk));
    t.onExit((reason) => this.onExit(t, reason));
    t.input.write(encodeFrame({ t: "discover", ...target }));
    this.transport = t;
    return t;
  }

  private onFrame(buf: Buffer): void {
    const parsed = relayFrame.safeParse(safeJson(buf));
    if (!parsed.success) {
      this.o.log.warn(`relay: unexpected frame ${buf.toString("utf8").slice(0, 200)}`);
      return;
    }
    const f = parsed.data;
    if (f.t === "agent") this.setAgent(f.host, { node: f.node, host: f.host, hostname: f.hostname, engine: f.engine });
    else if (f.t === "agent_down") this.setAgent(f.host, null);
    else if (f.t === "reply") this.settle(f);
    else if (f.t === "log") this.o.log.warn(`relay: ${f.msg}`);
  }

  private setAgent(host: string, info: AgentInfo | null): void {
    if (info) this.agents.set(host, info);
    else this.agents.delete(host);
    this.o.log.info(`agent ${info ? `up on ${info.hostname} (${info.node})` : `down on host ${host.slice(0, 12)}`}`);
    for (const w of [...this.waiters]) w();
    this.o.onAgents(this.agents);
  }

  private settle(f: z.infer<typeof replyFrame>): void {
    const p = this.pending.get(f.ref);
    if (!p) return;
    this.pending.delete(f.ref);
    clearTimeout(p.timer);
    if (f.ok) p.resolve(f.result ?? null);
    else p.reject(new Error(f.error ?? "the agent gave no reason"));
  }

  private onExit(t: BridgeTransport, reason: string): void {
    if (this.transport !== t) return;
    this.transport = null;
    this.agents.clear();
    this.o.onAgents(this.agents);
    for (const [ref, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new UnavailableError(`the relay to the agents ended (${reason})`));
      this.pending.delete(ref);
    }
    if (this.closed) return;
    this.o.log.warn(`relay ended (${reason}); starting it again in 2 s`);
    this.restartTimer = setTimeout(() => void this.ensure().catch((err: Error) => this.o.log.warn(`relay restart: ${err.message}`)), 2000);
    this.restartTimer.unref();
  }
}

function safeJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    return null;
  }
}

/** The agent's error words as the error the HTTP edge maps. */
function agentError(err: Error, op: AgentOp, hostname: string): Error {
  if (err instanceof UnavailableError) return err;
  const what = `${op.op} of container ${op.container.slice(0, 12)} on ${hostname}`;
  if (err.message === "not_found") return new NotFoundError(`${what}: no such container`);
  if (err.message.startsWith("conflict")) return new ConflictError(`${what}: ${err.message.replace(/^conflict: /, "")}`);
  if (err.message === "not_this_stack") return new ConflictError(`${what}: not a container of this stack`);
  if (err.message === "no_agent_on_host" || err.message === "agent_down" || err.message === "timeout") {
    return new UnavailableError(`${what}: the agent is not reachable (${err.message})`);
  }
  return new Error(`${what} failed: ${err.message}`);
}
