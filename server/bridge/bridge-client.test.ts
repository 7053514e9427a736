import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "../log";
import { FakeTransport, flushStreams } from "../testing/fake-transport";
import { UnavailableError } from "../errors";
import { BridgeClient, type BridgeStatus } from "./bridge-client";
import { encodeFrame } from "./frames";
import { PingWatchdog } from "./ping-watchdog";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HELLO = { t: "hello", bridge: "bridge-test@127.0.0.1" };
const DISCOVER = { t: "discover", mode: "epmd", host: "127.0.0.1", deployment: "test" } as const;

function setup(extra: { maxQueuedBytes?: number; highWaterMark?: number } = {}) {
  const transports: FakeTransport[] = [];
  const statuses: [BridgeStatus, string | undefined][] = [];
  const client = new BridgeClient({
    open: async () => {
      const t = new FakeTransport({ highWaterMark: extra.highWaterMark });
      transports.push(t);
      return t;
    },
    discovery: () => DISCOVER,
    log: quiet,
    handshakeTimeoutMs: 15_000,
    restartDelayMs: 1_000,
    ...(extra.maxQueuedBytes !== undefined ? { maxQueuedBytes: extra.maxQueuedBytes } : {}),
  });
  client.on("status", (s, e) => statuses.push([s, e]));
  return { client, transports, statuses };
}

/** Starts the client and has its bridge say hello. */
async function up(client: BridgeClient, transports: FakeTransport[]): Promise<FakeTransport> {
  await client.start();
  const t = transports.at(-1)!;
  t.say(HELLO);
  await flushStreams();
  expect(client.status).toBe("up");
  return t;
}

/** Timers and Date faked for each test of the enclosing describe. */
function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

describe("BridgeClient", () => {
  useFakeClock();

  it("sends the discovery command once the bridge says hello", async () => {
    const { client, transports } = setup();
    const t = await up(client, transports);
    await flushStreams();
    expect(client.bridgeNode).toBe(HELLO.bridge);
    expect(t.written).toEqual([DISCOVER]);
    await client.close();
  });

  it("kills a bridge that sends no hello within the handshake timeout, and starts a new one", async () => {
    const { client, transports, statuses } = setup();
    await client.start();
    expect(client.status).toBe("starting");
    vi.advanceTimersByTime(14_999);
    expect(transports[0]!.kills).toBe(0);
    vi.advanceTimersByTime(1);
    expect(transports[0]!.kills).toBe(1);
    expect(client.status).toBe("down");
    expect(statuses.at(-1)).toEqual(["down", "bridge exited: killed"]);
    vi.advanceTimersByTime(1_000);
    await flushStreams();
    expect(transports).toHaveLength(2);
    transports[1]!.say(HELLO);
    await flushStreams();
    expect(client.status).toBe("up");
    // The hello cleared the second handshake timer: nothing kills the healthy bridge later.
    vi.advanceTimersByTime(60_000);
    expect(transports[1]!.kills).toBe(0);
    await client.close();
  });

  it("restarts the bridge after it exits, and goes up again on the new one's hello", async () => {
    const { client, transports } = setup();
    const first = await up(client, transports);
    first.exit("signal SIGKILL");
    expect(client.status).toBe("down");
    expect(client.lastError).toBe("bridge exited: signal SIGKILL");
    expect(client.send({ t: "ping", ref: "x" })).toBe(false);
    vi.advanceTimersByTime(999);
    expect(transports).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await flushStreams();
    expect(transports).toHaveLength(2);
    await up(client, transports);
    expect(client.lastError).toBeUndefined();
    await client.close();
  });

  it("rejects the pending requests when the bridge exits", async () => {
    const { client, transports } = setup();
    const t = await up(client, transports);
    t.answerPings = false; // these requests are the test's; no automatic pong
    const inbox = client.request({ t: "get", node: "n1-test@127.0.0.1" });
    const ping = client.request({ t: "ping" });
    await flushStreams();
    expect(t.written.slice(1)).toEqual([
      { t: "get", node: "n1-test@127.0.0.1", ref: "r1" },
      { t: "ping", ref: "r2" },
    ]);
    t.exit("exit code 1");
    await expect(inbox).rejects.toThrow("bridge exited: exit code 1");
    await expect(ping).rejects.toThrow("bridge exited: exit code 1");
    await client.close();
  });

  it("answers a request from its reply, and times out one that gets none", async () => {
    const { client, transports } = setup();
    const t = await up(client, transports);
    t.answerPings = false; // the test answers
    const answered = client.request({ t: "ping" });
    const unanswered = client.request({ t: "ping" }, 500);
    t.say({ t: "reply", ref: "r1", ok: true, result: "pong" });
    await flushStreams();
    await expect(answered).resolves.toBe("pong");
    vi.advanceTimersByTime(500);
    await expect(unanswered).rejects.toThrow("bridge did not answer ping within 500 ms");
    await client.close();
  });

  it("a request while the bridge is down is refused at once", async () => {
    const { client } = setup();
    await expect(client.request({ t: "ping" })).rejects.toThrow("the bridge is not connected");
  });

  it("once closed, it neither restarts nor reopens", async () => {
    const { client, transports } = setup();
    const t = await up(client, transports);
    await client.close();
    expect(t.kills).toBe(1);
    vi.advanceTimersByTime(10_000);
    await client.start();
    expect(transports).toHaveLength(1);
    expect(client.status).toBe("down");
  });
});

describe("BridgeClient watches the bridge", () => {
  useFakeClock();

  it("pings every second while up; a bridge that answers stays up", async () => {
    const { client, transports } = setup();
    const t = await up(client, transports);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.written.at(-1)).toEqual({ t: "ping", ref: "ping1" });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.written.filter((c) => c.t === "ping")).toHaveLength(31);
    expect(t.kills).toBe(0);
    expect(client.status).toBe("up");
    await client.close();
  });

  it("kills a bridge silent for 3 s (hung), says why, and starts a new one", async () => {
    const { client, transports, statuses } = setup();
    const hung = await up(client, transports);
    hung.answerPings = false;
    await vi.advanceTimersByTimeAsync(2_999);
    expect(hung.kills).toBe(0);
    expect(hung.written.filter((c) => c.t === "ping")).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(hung.kills).toBe(1);
    expect(client.status).toBe("down");
    expect(client.lastError).toBe("bridge hung: nothing heard from it for 3.0 s (pings unanswered); killed");
    expect(statuses.at(-1)).toEqual(["down", client.lastError]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transports).toHaveLength(2);
    await up(client, transports);
    expect(client.lastError).toBeUndefined();
    await client.close();
  });

  it("any frame counts as a sign of life, not only the pong", async () => {
    const { client, transports } = setup();
    const t = await up(client, transports);
    t.answerPings = false;
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      t.say({ t: "links", node: "n1-test@127.0.0.1", links: [] });
      await flushStreams();
    }
    expect(t.kills).toBe(0);
    await client.close();
  });

  it("queues commands while the bridge does not read, sends them in order on drain", async () => {
    const { client, transports } = setup({ highWaterMark: 64 });
    const t = await up(client, transports);
    t.stall();
    const sent = Array.from({ length: 50 }, (_, i) => ({ t: "send", id: `m${i}`, from: "a@h", to: "b@h", content: "x" }) as const);
    for (const cmd of sent) expect(client.send(cmd)).toBe(true);
    expect(t.written).toEqual([DISCOVER]);
    t.resume();
    await flushStreams();
    expect(t.written.slice(1)).toEqual(sent);
    await client.close();
  });

  it("refuses a command past the bound with a 503 that says why, keeps what it accepted", async () => {
    const { client, transports } = setup({ highWaterMark: 64, maxQueuedBytes: 1_000 });
    const t = await up(client, transports);
    t.stall();
    const accepted: unknown[] = [];
    let refused: unknown;
    for (let i = 0; i < 100 && !refused; i++) {
      const cmd = { t: "send", id: `m${i}`, from: "a@h", to: "b@h", content: "x".repeat(40) } as const;
      try {
        client.send(cmd);
        accepted.push(cmd);
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as Error).message).toMatch(/^the bridge is not reading its commands: \d+ bytes already wait \(limit 1000\); this command was refused$/);
    // At least what fits in the bound waited, beyond what the stream itself buffered.
    expect(accepted.length).toBeGreaterThanOrEqual(Math.floor(1_000 / encodeFrame(accepted[0]).length));
    t.resume();
    await flushStreams();
    expect(t.written.slice(1)).toEqual(accepted);
    await client.close();
  });
});

describe("PingWatchdog", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("judges nothing on a tick that fires late because this process was stalled", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let now = 0;
    const hung = vi.fn();
    const dog = new PingWatchdog({ intervalMs: 1_000, timeoutMs: 3_000, ping: () => {}, hung, now: () => now });
    dog.start();
    now += 10_000; // a 10 s synchronous job: the bridge's frames wait unread in the pipe
    vi.advanceTimersByTime(1_000);
    expect(hung).not.toHaveBeenCalled();
    for (let i = 0; i < 2; i++) {
      now += 1_000;
      vi.advanceTimersByTime(1_000);
    }
    // Judged from the late tick on: silent for the timeout after it, then hung.
    expect(hung).toHaveBeenCalledWith(3_000);
    dog.stop();
  });
});
