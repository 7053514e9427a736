import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO } from "../../lib/contracts/http-replies";
import type { ReplayReply } from "../../lib/contracts/replay";
import { checkReply, findRoute } from "../../lib/contracts/route-match";
import { repoRoot, type ServerHandle, startServer, waitFor } from "./harness";
import { type BlockRun, type CurlCall, type ReadmeBlock, readmeBlocks, runShellBlock, substitute } from "./readme-blocks";

// Every command block of the README runs here, against a real server on the local runtime, with
// the real port, token, data folder and node names put in; each curl it makes must get its
// route's documented status and a reply its schema accepts, and each block's own claim is
// checked. A README edit that breaks an example fails this test.

const README = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
const blocks = readmeBlocks(README);
const where = (b: ReadmeBlock) => `README.md:${b.line} (${b.code.split("\n")[0]!.slice(0, 60)})`;

describe("README examples", () => {
  let s: ServerHandle;
  let n1 = "";

  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const run = async (b: ReadmeBlock): Promise<BlockRun> => {
    const real = { token: s.token, port: new URL(s.url).port, n1 };
    const r = await runShellBlock(substitute(b.code, real), { cwd: repoRoot, env: { SWARMSCOPE_DATA: s.dataDir }, timeoutMs: 60_000 });
    console.log(`[measure] ${where(b)}: exit ${r.exitCode}, ${r.calls.length} curl calls, ${r.ms} ms`);
    expect(r.exitCode, `${where(b)} failed:\n${r.stderr}\n${r.stdout}`).toBe(0);
    for (const c of r.calls) expectDocumented(c);
    return r;
  };

  beforeAll(async () => {
    s = await startServer();
    await waitFor("the bridge up", async () => (await cluster()).bridge.status === "up");
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    const c = await waitFor("3 nodes up", async () => {
      const x = await cluster();
      return x.nodes.length === 3 && x.nodes.every((n) => n.status === "up") ? x : undefined;
    });
    n1 = c.nodes.find((n) => n.slot === 1)!.name;
  });

  afterAll(async () => {
    await s?.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it("every command block is run here or says why not; the skipped ones are listed", () => {
    const untagged = blocks.filter((b) => b.lang !== "text" && !b.tag).map(where);
    expect(untagged, "tag each block <!-- run: NAME --> or <!-- not run: reason -->, or mark output as text").toEqual([]);
    for (const b of blocks) if (b.tag && "notRun" in b.tag) console.log(`[readme] not run by design: ${where(b)} — ${b.tag.notRun}`);
    const names = blocks.flatMap((b) => (b.tag && "run" in b.tag ? [b.tag.run] : []));
    expect(names.filter((n) => !(n in CLAIMS)), "a run tag with no check of its claim").toEqual([]);
    expect(names.sort()).toEqual(Object.keys(CLAIMS).sort());
  });

  // What each tagged block claims, checked after it ran.
  const CLAIMS: Record<string, (r: BlockRun, started: number) => Promise<void>> = {
    "plain-erlang": async (_r, started) => {
      const seed = await waitFor("the plain erl's message received, as a seed message", async () => {
        const list = (await s.api<{ messages: MessageDTO[] }>("GET", `/api/messages?after=${started - 1}`)).body.messages;
        return list.find((m) => m.seed && m.to === n1 && m.from === "me@127.0.0.1" && m.content === "hi" && m.status === "received");
      });
      expect(seed.receivedAt).not.toBeNull();
      // A stranger that came and went leaves the replicas as they were: all up, fully meshed.
      await waitFor("the replicas up and meshed, the stranger gone", async () => {
        const c = await cluster();
        return c.strangers.length === 0 && c.nodes.every((n) => n.status === "up" && n.links.length === 2);
      });
    },
    api: async (r) => {
      const sends = r.calls.filter((c) => c.method === "POST" && new URL(c.url).pathname === "/api/messages");
      expect(sends).toHaveLength(1);
      const ids = (sends[0]!.body as { ids: string[] }).ids;
      expect(ids).toHaveLength(2); // "*" from n1: one to each other node
      await waitFor("the broadcast acked", async () => {
        const got = await Promise.all(ids.map(async (id) => (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body.status));
        return got.every((st) => st === "acked");
      });
      const names = r.stdout.split("\n").filter((l) => l.startsWith("/api/"));
      expect(names).toContain("/api/openapi.json");
    },
    replay: async (r) => {
      const calls = r.calls.filter((c) => new URL(c.url).pathname === "/api/replay");
      expect(calls).toHaveLength(1);
      const page = calls[0]!.body as ReplayReply;
      expect(page.start).toBeDefined();
      // 3 replicas were deployed, and the plain erl block (before this one) sent n1 a seed message: there, in order.
      const joined = page.items.filter((i) => i.type === "event" && i.event.kind === "nodeup");
      expect(joined.length).toBeGreaterThanOrEqual(3);
      expect(page.items.some((i) => i.type === "message" && i.message.seed && i.message.to === n1 && i.message.content === "hi")).toBe(true);
      const ats = page.items.map((i) => i.at);
      expect(ats).toEqual([...ats].sort((a, b) => a - b));
      expect(r.stdout.split("\n").some((l) => l.startsWith('["event",'))).toBe(true);
    },
  };

  for (const b of blocks.filter((x) => x.tag && "run" in x.tag)) {
    const name = (b.tag as { run: string }).run;
    it(`runs ${where(b)} [${name}]: each curl gets its documented status and shape, and the claim holds`, async () => {
      const started = Date.now();
      const r = await run(b);
      await CLAIMS[name]!(r, started);
    });
  }

  it("a visible stranger shows in the cluster while connected, and the replicas stay meshed", async () => {
    const home = fs.mkdtempSync(path.join(repoRoot, ".data-it-erlhome-"));
    fs.copyFileSync(path.join(s.dataDir, "cookie"), path.join(home, ".erlang.cookie"));
    fs.chmodSync(path.join(home, ".erlang.cookie"), 0o400);
    const stay = promisify(execFile)("erl", ["-noshell", "-name", "stranger@127.0.0.1", "-eval", `pong = net_adm:ping('${n1}'), timer:sleep(12000), halt().`], {
      env: { ...process.env, HOME: home },
    });
    try {
      const t0 = Date.now();
      // It pinged n1; `global` then connects it to the other replicas too (as the README says).
      const c = await waitFor("the stranger in the cluster, linked to all 3 replicas", async () => {
        const x = await cluster();
        return x.strangers.some((st) => st.name === "stranger@127.0.0.1" && st.links.length === 3) ? x : undefined;
      }, 10_000); // the erl boots first: a second or two on a busy machine
      console.log(`[measure] stranger shown linked to all 3 replicas ${Date.now() - t0} ms after the test saw it start`);
      expect(c.strangers.find((x) => x.name === "stranger@127.0.0.1")!.links).toContain(n1);
      expect(c.nodes.map((n) => n.name)).not.toContain("stranger@127.0.0.1");
      expect(c.nodes.every((n) => n.status === "up")).toBe(true);
    } finally {
      await stay;
      fs.rmSync(home, { recursive: true, force: true });
    }
    await waitFor("the stranger gone, the replicas up and meshed", async () => {
      const c = await cluster();
      return c.strangers.length === 0 && c.nodes.every((n) => n.status === "up" && n.links.length === 2);
    });
  });
});

/** A curl the README makes must get its route's success status, with a reply the contract accepts. */
function expectDocumented(c: CurlCall): void {
  const pathname = new URL(c.url).pathname;
  const route = findRoute(c.method, pathname)?.route;
  expect(route, `${c.method} ${pathname}: no such route`).toBeDefined();
  expect(c.status, `${c.method} ${pathname} answered ${c.status}: ${JSON.stringify(c.body).slice(0, 300)}`).toBe(route!.status);
  const verdict = checkReply({ method: c.method, url: c.url, status: c.status, contentType: c.contentType, body: c.body });
  expect(verdict).toEqual({ ok: true });
}
