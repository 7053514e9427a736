import fs from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { checkReply } from "../../lib/contracts/route-match";
import { fuzzSeed } from "../fuzz-seed";
import { type FuzzCase, fuzzCase, rawClient, type RawReply } from "./fuzz-cases";
import { type ServerHandle, startServer, waitFor } from "./harness";

// Property-based fuzzing of every route of lib/contracts/routes.ts (issue 11): random JSON, wrong
// types, huge strings and bodies, unicode, `..`, `%00` and very long path segments, wrong methods,
// content types and credentials; 10,000+ calls, 8 at a time on keep-alive connections, against two
// live replicas. Each call: no 5xx, a reply the contract allows (or Node's own 4xx for a request
// line it will not parse). After each batch: the server answers, and the cluster and the counters
// are what they were (every call here is one the server must refuse or that changes nothing).

const CASES = 10_000;
const BATCH = 8;
const VIEW = `view-${Math.random().toString(36).slice(2)}-fuzz`;
const STATE_CHANGING = new Set(["PUT /api/cluster", "POST /api/messages", "POST /api/traffic", "POST /api/nodes/:name/kill"]);

/** What rejected calls must leave alone: the nodes (names, states, links, counts) and the counters. */
async function state(s: ServerHandle) {
  const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const st = (await s.api<StatsDTO>("GET", "/api/stats")).body;
  return {
    desired: c.desiredReplicas,
    nodes: c.nodes.map((n) => ({ name: n.name, status: n.status, links: [...n.links].sort(), sent: n.sent, received: n.received, pid: n.replica?.pid })),
    counts: { sent: st.sent, received: st.received, acked: st.acked, lost: st.lost, inFlight: st.inFlight, failed: st.failed },
    traffic: (await s.api("GET", "/api/traffic")).body,
  };
}

/** A reply the contract does not describe, but that Node's HTTP parser (not the app) gives to a request it refuses. */
const fromNodeParser = (r: RawReply) => [400, 414, 431].includes(r.status) && !(r.contentType ?? "").includes("json");
/** Next.js's own redirect of a path it normalises (`a/..`, a trailing slash): to a path on this server only. */
const normalised = (r: RawReply) => [307, 308].includes(r.status) && r.location !== null && /^\/(?![/\\])/.test(r.location);

describe("API fuzz (fast-check, every route of the contract)", () => {
  let s: ServerHandle;
  const seed = fuzzSeed("API routes");
  const byStatus = new Map<number, number>();
  const byRoute = new Map<string, number>();
  const outsideContract: string[] = [];
  let sent = 0;
  let unchangedChecks = 0;
  let cutOff = 0;
  const resent: string[] = [];

  beforeAll(async () => {
    // Rate limit out of the way: the point is what each route does with what it is given.
    s = await startServer({ env: { SWARMSCOPE_VIEW_TOKEN: VIEW, SWARMSCOPE_CONTROL_RATE: "1000000" } });
    await waitFor("the bridge", async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up");
    await s.api("PUT", "/api/cluster", { replicas: 2 });
    await waitFor("2 nodes up and linked", async () => {
      const c = (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up" && n.links.length === 1);
    });
  });
  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it(`${CASES} hostile calls: no 5xx, replies as the contract says, state unchanged, server alive`, async () => {
    const client = rawClient(s.url, BATCH);
    const before = await state(s);
    const tokens = { control: s.token, view: VIEW, nodes: before.nodes.map((n) => n.name) };
    let expected = before;
    const t0 = Date.now();
    /**
     * A reset connection. A kept-alive one the server closed just then fails the next call on it:
     * that call goes again on a new connection. A large body the server answered without reading
     * (413 over the cap, Next's 405), or one the HTTP parser refuses, may reset again: then the
     * server must still answer. Any other failure to answer fails the test; and the state check
     * after the batch shows the server still answers.
     */
    const resend = async (c: FuzzCase, err: unknown): Promise<RawReply | null> => {
      const reset = (e: unknown) => ["ECONNRESET", "EPIPE"].includes((e as { code?: string }).code ?? "");
      if (!reset(err)) throw err;
      resent.push(`${c.method} ${c.path.slice(0, 60)} body ${Buffer.byteLength(c.body ?? "")} B`);
      try {
        return await client.send(c, true);
      } catch (again) {
        if (!reset(again)) throw again;
        // Reset twice: the server closed the connection on this request itself (a body it answered
        // without reading, or a request Node's HTTP parser refuses and closes). Fine if the server
        // still answers at once; the batch's state check follows.
        expect((await s.api("GET", "/api/health")).status).toBe(200);
        cutOff++;
        return null;
      }
    };
    const one = async (c: FuzzCase) => {
      let r: RawReply | null;
      sent++;
      try {
        r = await client.send(c);
      } catch (err) {
        r = await resend(c, err);
      }
      if (!r) return;
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      byRoute.set(c.route, (byRoute.get(c.route) ?? 0) + 1);
      const what = `${c.method} ${c.path.slice(0, 160)} (${c.auth}) → ${r.status} ${r.text.slice(0, 200)}`;
      expect(r.status, what).toBeLessThan(500);
      if (r.status < 300) expect(STATE_CHANGING.has(`${c.method} ${c.route.slice(c.route.indexOf(" ") + 1)}`), `accepted: ${what}`).toBe(false);
      // `..` may take the path out of /api (the page's 404 then answers): not an API call.
      if (!new URL(c.path, "http://x").pathname.startsWith("/api/")) return;
      let body: unknown = r.text;
      try {
        body = JSON.parse(r.text);
      } catch {
        /* not JSON */
      }
      const verdict = checkReply({ method: c.method, url: c.path, status: r.status, contentType: r.contentType, body });
      if (r.status >= 300 && r.status < 400) expect(normalised(r), `a redirect off this server: ${what} → ${r.location}`).toBe(true);
      if (!verdict.ok && !fromNodeParser(r) && !normalised(r)) expect.fail(`${what}\n${verdict.problem}`);
      if (!verdict.ok) outsideContract.push(what);
    };
    const out = await fc.check(
      fc.asyncProperty(fc.array(fuzzCase(tokens), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map(one));
        const after = await state(s);
        expect(after).toEqual(expected);
        expected = after;
        unchangedChecks++;
      }),
      { seed, numRuns: CASES / BATCH, endOnFailure: true },
    );
    // The failing batch can be megabytes of text: say where it failed and why, briefly.
    if (out.failed) expect.fail(`fuzz failed (seed ${out.seed}, path ${out.counterexamplePath}): ${String(out.errorInstance).slice(0, 3000)}`);
    const ms = Date.now() - t0;
    client.close();
    expect(s.proc.exitCode).toBeNull();
    expect((await s.api("GET", "/api/health")).body).toMatchObject({ status: "ok", bridge: "up" });
    expect(s.output.join("")).not.toMatch(/ error \[api\]|internal error/);
    console.log(`[measure] API fuzz: ${sent} calls in ${(ms / 1000).toFixed(1)} s (${Math.round(sent / (ms / 1000))}/s, ${BATCH} at a time), seed ${seed}; 0 crashes, 0 5xx; state unchanged after ${unchangedChecks} batches`);
    console.log(`[measure] API fuzz: ${cutOff} requests whose connection the server closed before answering (a large body answered unread, or a request the HTTP parser refused; not in the statuses), the server answering right after each`);
    console.log(`[measure] API fuzz: ${resent.length} calls sent again on a new connection after a reset of a kept-alive one${resent.length ? `, e.g. ${resent.slice(0, 3).join("; ")}` : ""}`);
    console.log(`[measure] API fuzz statuses: ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`);
    console.log(`[measure] API fuzz per route: ${JSON.stringify(Object.fromEntries(byRoute))}`);
    console.log(`[measure] API fuzz: ${outsideContract.length} replies from Node's HTTP parser or Next's path normalisation (not the app), e.g. ${outsideContract.slice(0, 2).join(" | ")}`);
    expect(sent).toBeGreaterThanOrEqual(CASES);
  }, 300_000); // 10,000 calls: over a minute on a busy 2-core machine
});
