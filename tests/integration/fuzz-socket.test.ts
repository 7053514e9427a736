import fs from "node:fs";
import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzSeed } from "../fuzz-seed";
import { type ServerHandle, startServer } from "./harness";

// The socket.io surface fuzzed (issue 11): handshakes with random auth payloads and Origin headers
// (only a real token, from no origin or this one, gets live events), the engine.io handshake with
// random Origins over plain HTTP, random client events (the server listens to none) on an open
// socket, and raw socket.io packets, well-formed or not, under the client library. 10,000+ cases per
// run; the server must answer throughout, stay up, and keep the cluster as it was.

const VIEW = `view-${Math.random().toString(36).slice(2)}-sock`;
const seed = fuzzSeed("socket.io handshake");
const EVENTS = 10_000;
const RAW = 800;

const junkAuth = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ token: fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.jsonValue({ maxDepth: 2 }), fc.constant("x".repeat(70_000))) }),
);
/** Same origin = same host and port (behind a TLS proxy the page is https, the server http). */
const sameSite = (o: string | undefined, url: string) => o === undefined || o === url || o === url.replace("http:", "https:");
const origin = (url: string) =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant(url),
    fc.constantFrom("http://evil.example", "null", "http://127.0.0.1", `${url}.evil.example`, "file://", "https://127.0.0.1", url.replace("http:", "https:"), `${url}/x`),
    fc.webUrl(),
    fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
  );

/** "live" once a stats event arrives; "refused" on a connect error, a disconnect, or 10 s of nothing. */
function handshake(url: string, auth: unknown, originHeader: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const sock = io(url, {
      auth: auth as Record<string, unknown>,
      transports: ["websocket"],
      forceNew: true, // its own connection: a shared one would carry the first socket's headers
      reconnection: false,
      timeout: 5000,
      extraHeaders: originHeader === undefined ? {} : { origin: originHeader },
    });
    const timer = setTimeout(() => done("refused: no answer in 10 s"), 10_000);
    const done = (v: string) => (clearTimeout(timer), resolve(v), sock.disconnect()); // resolve first: disconnect() fires "disconnect"
    sock.on("stats", () => done("live"));
    sock.on("connect_error", (e) => done(`refused: ${e.message}`));
    sock.on("disconnect", (why) => done(`refused: ${why}`)); // an auth payload over 64 KiB: the server closes the connection
  });
}

describe("socket.io fuzz", () => {
  let s: ServerHandle;
  const counts = { handshakes: 0, pollHandshakes: 0, events: 0, raw: 0, rawClosed: 0 };
  beforeAll(async () => {
    s = await startServer({ env: { SWARMSCOPE_VIEW_TOKEN: VIEW } });
  });
  afterAll(async () => {
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
    const total = counts.handshakes + counts.pollHandshakes + counts.events + counts.raw;
    console.log(
      `[measure] socket.io fuzz: ${total} cases: ${counts.handshakes} websocket handshakes, ${counts.pollHandshakes} HTTP handshakes, ${counts.events} client events, ${counts.raw} raw packets (${counts.rawClosed} closed their connection); 0 crashes (seed ${seed})`,
    );
  });

  it("only a control or view token, from no Origin or this one, opens a live socket", async () => {
    const creds = fc.oneof({ weight: 3, arbitrary: junkAuth }, { weight: 1, arbitrary: fc.constantFrom({ token: s.token }, { token: VIEW }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(creds, origin(s.url)), { minLength: 8, maxLength: 8 }), async (batch) => {
        const got = await Promise.all(batch.map(([a, o]) => handshake(s.url, a, o)));
        batch.forEach(([a, o], i) => {
          counts.handshakes++;
          const token = (a as { token?: unknown } | null)?.token;
          const ok = (token === s.token || token === VIEW) && sameSite(o, s.url);
          expect(got[i]!.split(":")[0], `auth ${JSON.stringify(a).slice(0, 80)} origin ${o}: ${got[i]}`).toBe(ok ? "live" : "refused");
        });
      }),
      { seed, numRuns: 60 },
    );
  });

  it("the engine.io handshake over HTTP: 403 for any other Origin, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(origin(s.url), async (o) => {
        counts.pollHandshakes++;
        let status: number;
        try {
          status = (await fetch(`${s.url}/socket.io/?EIO=4&transport=polling`, { headers: o === undefined ? {} : { origin: o } })).status;
        } catch {
          return; // a header fetch itself will not send (not a server answer)
        }
        expect(status, `origin ${o}`).toBe(sameSite(o, s.url) ? 200 : 403);
      }),
      { seed: seed + 1, numRuns: 1500 },
    );
  });

  it("random client events on an open socket change nothing and the socket stays live", async () => {
    const sock: Socket = io(s.url, { auth: { token: s.token }, transports: ["websocket"], reconnection: false });
    let stats = 0;
    sock.on("stats", () => stats++);
    await new Promise<void>((r) => sock.once("connect", () => r()));
    const before = (await s.api("GET", "/api/cluster")).body;
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }), (name, args) => {
        if (["connect", "disconnect", "connect_error", "disconnecting", "newListener", "removeListener"].includes(name)) return;
        counts.events++;
        sock.emit(name, ...args);
      }),
      { seed: seed + 2, numRuns: EVENTS },
    );
    expect(counts.events).toBeGreaterThanOrEqual(EVENTS * 0.99); // less the few reserved names drawn
    const seen = stats;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sock.connected).toBe(true);
    expect(stats).toBeGreaterThan(seen); // still pushed to
    expect((await s.api("GET", "/api/cluster")).body).toEqual({ ...before, nodes: before.nodes });
    // A frame over maxHttpBufferSize (64 KiB) closes that socket only.
    sock.emit("x", "y".repeat(70_000));
    await new Promise((r) => setTimeout(r, 500));
    expect(sock.connected).toBe(false);
    expect((await s.api("GET", "/api/health")).status).toBe(200);
    expect(s.proc.exitCode).toBeNull();
  });

  it("raw socket.io packets, malformed or not: at worst that connection closes; the server stays up, the cluster unchanged", async () => {
    const before = (await s.api("GET", "/api/cluster")).body;
    await fc.assert(
      fc.asyncProperty(fc.array(rawPacket, { minLength: 8, maxLength: 8 }), async (batch) => {
        const closed = await Promise.all(batch.map((p) => sendRaw(s.url, s.token, p)));
        counts.raw += batch.length;
        counts.rawClosed += closed.filter(Boolean).length;
        expect((await s.api("GET", "/api/health")).status).toBe(200);
      }),
      { seed: seed + 3, numRuns: RAW / 8 },
    );
    expect(s.proc.exitCode).toBeNull();
    expect((await s.api("GET", "/api/cluster")).body).toEqual(before);
    expect(counts.handshakes + counts.pollHandshakes + counts.events + counts.raw).toBeGreaterThanOrEqual(10_000);
  });
});

/** A socket.io packet as text (type digit, namespace, id, JSON), a near miss of one, or any string or bytes. */
const rawPacket = fc.oneof(
  fc.tuple(fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "9", ""), fc.constantFrom("", "/", "/admin,", "/x/../,"), fc.option(fc.nat(), { nil: undefined }), fc.jsonValue({ maxDepth: 3 })).map(
    ([type, nsp, id, data]) => `${type}${nsp}${id ?? ""}${JSON.stringify(data)}`,
  ),
  fc.jsonValue({ maxDepth: 2 }).map((v) => `2${JSON.stringify(v)}`),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom("2[", '51-["x",{"_placeholder":true,"num":99}]', '2["__proto__",{}]', `2${"[".repeat(5000)}`, "0/nope,{}", "1", "4{}"),
);

/** Opens a socket with the control token, writes one raw packet under socket.io; true when the server then closed it. */
async function sendRaw(url: string, token: string, packet: string | Buffer): Promise<boolean> {
  const sock: Socket = io(url, { auth: { token }, transports: ["websocket"], forceNew: true, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", () => resolve());
      sock.once("connect_error", reject);
    });
    const closed = new Promise<boolean>((r) => sock.once("disconnect", () => r(true)));
    sock.io.engine.write(packet);
    return await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
  } finally {
    sock.disconnect();
  }
}
