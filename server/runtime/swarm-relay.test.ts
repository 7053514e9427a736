import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { FrameReader, encodeFrame } from "../bridge/frames";
import { ConflictError, NotFoundError, UnavailableError } from "../errors";
import { AgentRelay } from "./swarm-relay";
import type { BridgeTransport } from "./types";

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A relay container stand-in: frames the dashboard writes arrive in `got`; `say` answers. */
function fakeRelay() {
  const input = new PassThrough();
  const output = new PassThrough();
  const got: Array<Record<string, unknown>> = [];
  const exits: Array<(r: string) => void> = [];
  let onGot = () => {};
  const reader = new FrameReader((b) => {
    got.push(JSON.parse(b.toString("utf8")) as Record<string, unknown>);
    onGot();
  });
  input.on("data", (c: Buffer) => reader.push(c));
  const transport: BridgeTransport = { input, output, onExit: (cb) => void exits.push(cb), kill: async () => exits.forEach((e) => e("killed")) };
  return {
    transport,
    got,
    say: (f: object) => output.write(encodeFrame(f)),
    next: () => new Promise<Record<string, unknown>>((resolve) => (onGot = () => resolve(got.at(-1)!))),
    exit: (why: string) => exits.forEach((e) => e(why)),
  };
}

function setup() {
  const fake = fakeRelay();
  let opened = 0;
  const seen: number[] = [];
  const relay = new AgentRelay({
    open: async () => {
      opened++;
      return fake.transport;
    },
    discover: async () => ({ query: "tasks.st_agent", name: "agent-ab" }),
    log: quiet,
    onAgents: (a) => seen.push(a.size),
    agentWaitMs: 300,
    callTimeoutMs: 300,
  });
  return { relay, fake, opened: () => opened, seen };
}

const agent = { t: "agent", node: "agent-ab@10.0.1.9", host: "w1", hostname: "h2", engine: "20.10", host_id: "w1", stack: "st" };

describe("AgentRelay", () => {
  it("starts the relay once, tells it how to find the agents, and carries a call to its host's agent", async () => {
    const { relay, fake, opened, seen } = setup();
    await Promise.all([relay.ensure(), relay.ensure()]);
    expect(opened()).toBe(1);
    expect(fake.got).toEqual([{ t: "discover", query: "tasks.st_agent", name: "agent-ab" }]);
    const next = fake.next();
    const call = relay.call("w1", { op: "pause", container: "c1" }); // waits for the agent of w1
    fake.say(agent);
    const frame = await next;
    expect(frame).toEqual({ t: "call", ref: expect.any(String), host: "w1", op: "pause", container: "c1" });
    fake.say({ t: "reply", ref: frame.ref, ok: true, result: null });
    await expect(call).resolves.toBeNull();
    expect(relay.reachable().get("w1")).toMatchObject({ hostname: "h2" });
    expect(seen).toEqual([1]);
  });

  it("turns the agent's refusals into 404, 409 and 503 errors", async () => {
    const { relay, fake } = setup();
    await relay.ensure();
    fake.say(agent);
    const answer = async (error: string) => {
      const next = fake.next();
      const call = relay.call("w1", { op: "kill", container: "c1" });
      fake.say({ t: "reply", ref: (await next).ref, ok: false, error });
      return call.catch((e: Error) => e);
    };
    expect(await answer("not_found")).toBeInstanceOf(NotFoundError);
    expect(await answer("conflict: Container c1 is not running")).toBeInstanceOf(ConflictError);
    expect(await answer("not_this_stack")).toBeInstanceOf(ConflictError);
    expect(await answer("agent_down")).toBeInstanceOf(UnavailableError);
    expect(await relay.call("w2", { op: "kill", container: "c1" }).catch((e: Error) => e)).toBeInstanceOf(UnavailableError);
  });

  it("fails calls in flight when the relay ends, forgets its agents, and starts it again", async () => {
    const { relay, fake, opened } = setup();
    await relay.ensure();
    fake.say(agent);
    const next = fake.next();
    const call = relay.call("w1", { op: "kill", container: "c1" });
    await next;
    fake.exit("exit code 137");
    await expect(call).rejects.toThrow(/the relay to the agents ended \(exit code 137\)/);
    expect(relay.reachable().size).toBe(0);
    await relay.call("w1", { op: "kill", container: "c1" }).catch(() => {}); // starts it again
    expect(opened()).toBe(2);
    await relay.close();
  });
});
