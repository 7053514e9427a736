import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "../log";
import { FakeTransport, flushStreams } from "../testing/fake-transport";
import { BridgeClient, type BridgeStatus } from "./bridge-client";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HELLO = { t: "hello", bridge: "bridge-test@127.0.0.1" };
const DISCOVER = { t: "discover", mode: "epmd", host: "127.0.0.1", deployment: "test" } as const;

function setup() {
  const transports: FakeTransport[] = [];
  const statuses: [BridgeStatus, string | undefined][] = [];
  const client = new BridgeClient({
    open: async () => {
      const t = new FakeTransport();
      transports.push(t);
      return t;
    },
    discovery: () => DISCOVER,
    log: quiet,
    handshakeTimeoutMs: 15_000,
    restartDelayMs: 1_000,
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

describe("BridgeClient", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

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
