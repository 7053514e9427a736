// The whole product path on Docker Swarm: the real server (SWARMSCOPE_RUNTIME=swarm) and its HTTP
// API, real tasks on an overlay network, the bridge as a container, Docker's own CLI acting on the
// stack behind the dashboard's back. The same kind of tests as tests/integration/local-cluster.
// Skipped (with a message) when no Docker engine is reachable, unless CI=true.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, ClusterEventDTO, MessageDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "../integration/harness";
import { docker, ensureErlangBuilt, newRuntime, swarmGate, randomCookie, randomId, removeStackLeftovers, repoRoot } from "./helpers";

const { probe, skip } = await swarmGate();

const STACK = randomId("ssit"); // never collides with a developer's stack or another run
const SERVICE = `${STACK}_node`;

/** Swarm's own view of the service's tasks: `docker inspect` of every task. */
interface TaskInspect {
  ID: string;
  Slot?: number;
  CreatedAt: string;
  DesiredState: string;
  Status: { State: string; Timestamp: string; ContainerStatus?: { ContainerID?: string } };
}
function swarmTasks(): TaskInspect[] {
  const ids = docker(["service", "ps", "-q", "--no-trunc", SERVICE]).split("\n").filter(Boolean);
  return ids.length ? (JSON.parse(docker(["inspect", ...ids])) as TaskInspect[]) : [];
}

const measured: string[] = [];
function measure(what: string, ms: number): void {
  const line = `[measure] swarm (server API) ${what}: ${ms} ms`;
  measured.push(line);
  console.log(line);
}

describe.skipIf(skip)("Swarm runtime through the real server and its HTTP API", () => {
  let s: ServerHandle;
  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  const bySlot = (c: ClusterDTO, slot: number) => c.nodes.find((n) => n.slot === slot);
  const upNodes = (c: ClusterDTO) => c.nodes.filter((n) => n.status === "up");
  /** n nodes, all up, each linked to all the others (a full mesh). */
  const meshOf = async (n: number) => {
    const c = await cluster();
    if (c.nodes.length !== n || upNodes(c).length !== n) return undefined;
    const names = c.nodes.map((x) => x.name).sort();
    return c.nodes.every((x) => JSON.stringify([...x.links, x.name].sort()) === JSON.stringify(names)) ? c : undefined;
  };
  const brief = (c: ClusterDTO) =>
    c.nodes.map((n) => `${n.slot}:${n.status}:${n.replica?.state ?? "-"}:${n.name}:${n.links.length}`).join(" ");
  const dump = async () => {
    const c = await cluster().catch(() => null);
    return `cluster: ${c ? brief(c) : "?"}; server log tail: ${s.output.join("").slice(-3000)}`;
  };
  /** waitFor that says what the cluster looked like when it gives up. */
  const until = async <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> => {
    try {
      return await waitFor(what, fn, timeoutMs, everyMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await dump()}`);
    }
  };

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: STACK } });
    // The bridge container needs the node image: built here when missing (minutes on a fresh machine).
    await until("the bridge to be up", async () => (await cluster()).bridge.status === "up", 540_000, 250);
  });

  afterAll(async () => {
    if (!probe.ok) return;
    if (s) {
      await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
      await s.stop(); // removes the bridge container
      fs.rmSync(s.dataDir, { recursive: true, force: true });
    }
    await removeStackLeftovers(STACK, [`${STACK}_cookie`]);
    try {
      fs.mkdirSync(path.join(repoRoot, "test-results"), { recursive: true });
      fs.writeFileSync(path.join(repoRoot, "test-results", "swarm-server-timings.txt"), `${measured.join("\n")}\n`);
    } catch {
      /* only a report */
    }
  });

  it("says it runs the swarm runtime, ready", async () => {
    const h = (await s.api("GET", "/api/health")).body;
    expect(h).toMatchObject({ status: "ok", runtime: "swarm" });
    const c = await cluster();
    expect(c.runtime).toBe("swarm");
    expect(c.runtimeStatus).toEqual({ ready: true });
    expect(c.bridge.node).toMatch(new RegExp(`^bridge-${c.deploymentId}@\\d+\\.\\d+\\.\\d+\\.\\d+$`));
  });

  it("deploys 5 replicas: all 5 up, fully linked, with task, slot, container, overlay IP and host", async () => {
    const t0 = Date.now();
    const r = await s.api("PUT", "/api/cluster", { replicas: 5 });
    expect(r.status).toBe(202);
    // The progress view's task states, as the dashboard saw them (polled).
    const seenStates = new Set<string>();
    let allRunningAt = 0;
    const c = await until(
      "5 nodes up and fully meshed",
      async () => {
        const c = await cluster();
        for (const n of c.nodes) if (n.replica) seenStates.add(n.replica.state);
        if (!allRunningAt && c.progress && c.progress.replicasRunning >= 5) allRunningAt = Date.now();
        return meshOf(5);
      },
      180_000,
    );
    const tUp = Date.now() - t0;
    measure("deploy 5: click → all 5 nodes up and fully linked", tUp);
    // The runtime's task states come from Docker events and a re-list, and may lag the Erlang
    // nodeups by a moment: wait for them before checking the replica fields.
    const listed = await until("the runtime to list all 5 tasks running", async () => {
      const x = await meshOf(5);
      return x && x.nodes.every((n) => n.replica?.state === "running") ? x : undefined;
    }, 30_000);
    if (allRunningAt) measure("deploy 5: click → 5 tasks running in the dashboard (progress)", allRunningAt - t0);
    // What Swarm alone took: service created → last task running, from Swarm's own task timestamps.
    const created = Date.parse(docker(["service", "inspect", "-f", "{{.CreatedAt}}", SERVICE]));
    const running = swarmTasks().filter((t) => t.Status.State === "running");
    expect(running).toHaveLength(5);
    measure("deploy 5: Swarm alone, service created → last task running (task timestamps)", Math.max(...running.map((t) => Date.parse(t.Status.Timestamp))) - created);
    console.log(`[measure] swarm deploy 5: task states seen by polling the API: ${[...seenStates].join(", ")}`);

    expect(listed.desiredReplicas).toBe(5);
    expect(listed.nodes.map((n) => n.slot).sort()).toEqual([1, 2, 3, 4, 5]);
    const ips = new Set<string>();
    for (const n of listed.nodes) {
      const rep = n.replica!;
      expect(n.name).toBe(`n-${c.deploymentId}@${rep.ip}`);
      expect(rep.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(rep.taskId).toMatch(/^[0-9a-z]{25}$/);
      expect(rep.id).toBe(rep.taskId);
      expect(rep.containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(rep.state).toBe("running");
      expect(rep.slot).toBe(n.slot);
      expect(n.host).not.toBe("?");
      expect(n.host).toBe(rep.host);
      expect(n.flags).toEqual([]);
      ips.add(rep.ip!);
    }
    expect(ips.size).toBe(5);
    // The dashboard's tasks are Swarm's tasks.
    const swarmIds = new Set(running.map((t) => t.ID));
    for (const n of c.nodes) expect(swarmIds.has(n.replica!.taskId!)).toBe(true);
    expect(docker(["stack", "ls", "--format", "{{.Name}}"]).split("\n")).toContain(STACK);
    // The deploy's progress ran to its end.
    expect(c.progress).toMatchObject({ target: 5, done: true, nodesUp: 5 });
  });

  it("a message from slot 1 to slot 2 crosses the overlay: received by the receiver, acked, with a latency", async () => {
    const c = await cluster();
    const from = bySlot(c, 1)!.name;
    const to = bySlot(c, 2)!.name;
    const t0 = Date.now();
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from, to, content: "hello over the overlay" });
    expect(r.status).toBe(202);
    const id = r.body.ids[0]!;
    const m = await until(
      "the ack",
      async () => {
        const m = (await s.api<MessageDTO>("GET", `/api/messages/${id}`)).body;
        return m.status === "acked" ? m : undefined;
      },
      15_000,
      20,
    );
    measure("message slot 1 → slot 2: API call → acked seen in the API", Date.now() - t0);
    console.log(`[measure] swarm message send → received latency (receiver clock − sender clock, same host): ${m.latencyMs!.toFixed(3)} ms`);
    expect(m).toMatchObject({ from, to, content: "hello over the overlay", status: "acked", reason: null, seed: false });
    expect(m.receivedAt!).toBeGreaterThanOrEqual(m.sentAt!);
    expect(m.ackedAt!).toBeGreaterThanOrEqual(m.receivedAt!);
    expect(m.latencyMs).toBeGreaterThanOrEqual(0);
    // The receiver itself holds it (seed protocol {get, Pid}, asked through the bridge).
    const inbox = await s.api<{ messages: { from: string; content: string }[] }>("GET", `/api/nodes/${encodeURIComponent(to)}/inbox`);
    expect(inbox.status).toBe(200);
    expect(inbox.body.messages).toContainEqual({ from, content: "hello over the overlay" });
  });

  /** Kills slot `slot` with `how`, then waits for down, for the replacement task and its node. */
  async function killAndRecover(slot: number, how: "cli" | "api") {
    const before = bySlot(await cluster(), slot)!;
    const old = { name: before.name, taskId: before.replica!.taskId!, containerId: before.replica!.containerId! };
    const t0 = Date.now();
    if (how === "cli") docker(["kill", old.containerId]);
    else expect((await s.api("POST", `/api/nodes/${encodeURIComponent(old.name)}/kill`)).status).toBe(202);
    const down = await until(
      `slot ${slot} down`,
      async () => {
        const n = (await cluster()).nodes.find((x) => x.name === old.name);
        return n?.status === "down" ? n : undefined;
      },
      15_000,
      10,
    );
    const tDown = Date.now() - t0;
    const back = await until(
      `a new task in slot ${slot}, its node up`,
      async () => {
        const n = bySlot(await cluster(), slot);
        return n?.status === "up" && n.replica?.taskId !== old.taskId ? n : undefined;
      },
      90_000,
    );
    const tUp = Date.now() - t0;
    const c = await until("5 up, fully meshed again", () => meshOf(5), 30_000);
    const tMesh = Date.now() - t0;
    const what = how === "cli" ? "docker kill (CLI)" : "kill from the API";
    measure(`${what} → down in the API`, tDown);
    measure(`${what} → replacement task's node up`, tUp);
    measure(`${what} → full mesh of 5 again`, tMesh);
    expect(down.downReason).toBeTruthy();
    expect(back.replica!.taskId).not.toBe(old.taskId);
    expect(back.replica!.containerId).not.toBe(old.containerId);
    expect(back.replica!.restarts).toBeGreaterThanOrEqual(1);
    expect(back.name).toBe(`n-${c.deploymentId}@${back.replica!.ip}`);
    // The killed one's name is gone (or shown down) and nothing is flagged once all is back.
    expect(c.nodes.filter((n) => n.slot === slot)).toHaveLength(1);
    expect(c.nodes.every((n) => n.flags.length === 0)).toBe(true);
    // The replacement talks: a message to it is acked.
    const from = bySlot(c, slot === 1 ? 2 : 1)!.name;
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from, to: back.name, content: `to the new slot ${slot}` });
    expect(r.status).toBe(202);
    await until("the ack from the replacement", async () => (await s.api<MessageDTO>("GET", `/api/messages/${r.body.ids[0]}`)).body.status === "acked", 15_000);
    return c;
  }

  it("docker kill of a task container (CLI): down at once, Swarm's replacement task rediscovered by itself", async () => {
    await killAndRecover(3, "cli");
  });

  it("kill from the API (POST /api/nodes/:name/kill): down, replaced, rediscovered", async () => {
    await killAndRecover(4, "api");
    const ev = (await s.api<{ events: ClusterEventDTO[] }>("GET", "/api/events?limit=500")).body.events;
    expect(ev.some((e) => e.kind === "nodedown" && /^n4 down/.test(e.text))).toBe(true);
  });

  it("scales 5 → 2 → 4 through PUT /api/cluster", async () => {
    const t0 = Date.now();
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    const two = await until("2 nodes, linked to each other", () => meshOf(2), 60_000);
    measure("scale 5 → 2 (API): 2 nodes left", Date.now() - t0);
    expect(two.desiredReplicas).toBe(2);
    expect(two.nodes.map((n) => n.slot).sort()).toEqual([1, 2]);
    const t1 = Date.now();
    expect((await s.api("PUT", "/api/cluster", { replicas: 4 })).status).toBe(202);
    const four = await until("4 nodes up, fully meshed", () => meshOf(4), 120_000);
    measure("scale 2 → 4 (API): all 4 up and meshed", Date.now() - t1);
    expect(four.desiredReplicas).toBe(4);
    expect(four.nodes.map((n) => n.slot).sort()).toEqual([1, 2, 3, 4]);
    expect(four.progress).toMatchObject({ target: 4, done: true });
  });

  it("follows `docker service scale` from the CLI (4 → 3 → 5)", async () => {
    const t0 = Date.now();
    docker(["service", "scale", "--detach", `${SERVICE}=3`]);
    const three = await until("3 nodes up, fully meshed, desired 3", async () => {
      const c = await meshOf(3);
      return c && c.desiredReplicas === 3 ? c : undefined;
    }, 60_000);
    measure("docker service scale =3 (CLI): dashboard shows 3", Date.now() - t0);
    expect(three.nodes.map((n) => n.slot).sort()).toEqual([1, 2, 3]);
    const t1 = Date.now();
    docker(["service", "scale", "--detach", `${SERVICE}=5`]);
    const five = await until("5 nodes up, fully meshed, desired 5", async () => {
      const c = await meshOf(5);
      return c && c.desiredReplicas === 5 ? c : undefined;
    }, 120_000);
    measure("docker service scale =5 (CLI): all 5 up and meshed", Date.now() - t1);
    expect(five.nodes.map((n) => n.slot).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("`docker service rm` behind its back: the nodes go away, and a new deploy works again", async () => {
    const t0 = Date.now();
    docker(["service", "rm", SERVICE]);
    const gone = await until(
      "no node up, no replica left",
      async () => {
        const c = await cluster();
        return upNodes(c).length === 0 && c.nodes.every((n) => n.replica === null) ? c : undefined;
      },
      60_000,
    );
    measure("docker service rm (CLI): every node down/gone in the API", Date.now() - t0);
    expect(gone.desiredReplicas).toBe(0);
    await until("the node list empty", async () => (await cluster()).nodes.length === 0, 30_000);
    // The dashboard can deploy again (a new service).
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    await until("2 nodes up again", () => meshOf(2), 120_000);
    expect((await s.api("PUT", "/api/cluster", { replicas: 0 })).status).toBe(202);
    await until("all removed", async () => (await cluster()).nodes.length === 0, 60_000);
    expect(() => docker(["service", "inspect", SERVICE])).toThrow();
  });
});

// stack/README.md's "by hand" path: a stack deployed with `docker stack deploy -c
// stack/docker-stack.yml S` and the dashboard's data folder (cookie, deployment id), then a
// dashboard started with SWARMSCOPE_STACK=S finds it, joins its nodes and drives it.
describe.skipIf(skip)("a CLI-deployed stack/docker-stack.yml, found by the server through SWARMSCOPE_STACK", () => {
  const stack = randomId("ssitc");
  const secret = `${stack}_cookie`;
  const deployment = randomId("").slice(0, 6);
  let s: ServerHandle | null = null;
  let dataDir = "";
  const cluster = async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body;

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    // swarmscope-node:latest holding the current code (what `docker build ... -t swarmscope-node:latest .` makes)
    const rt = newRuntime({ stack });
    try {
      await rt.prepare();
    } finally {
      await rt.close();
    }
    dataDir = fs.mkdtempSync(path.join(repoRoot, ".data-it-"));
    fs.writeFileSync(path.join(dataDir, "deployment-id"), deployment);
    fs.writeFileSync(path.join(dataDir, "cookie"), randomCookie(), { mode: 0o600 });
    docker(["secret", "create", secret, path.join(dataDir, "cookie")]);
    execFileSync("docker", ["stack", "deploy", "-c", path.join(repoRoot, "stack", "docker-stack.yml"), stack], {
      env: { ...process.env, SWARMSCOPE_DEPLOYMENT: deployment, SWARMSCOPE_COOKIE_SECRET: secret },
      stdio: "pipe",
    });
  });

  afterAll(async () => {
    if (!probe.ok) return;
    await s?.stop();
    try {
      docker(["stack", "rm", stack]);
    } catch {
      /* absent */
    }
    await removeStackLeftovers(stack, [secret]);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows its 5 tasks as 5 nodes up, fully meshed, and carries a message between them", async () => {
    const t0 = Date.now();
    s = await startServer({ dataDir, env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack } });
    const c = await waitFor(
      "the CLI stack's 5 nodes up and meshed",
      async () => {
        const c = await cluster();
        const names = c.nodes.map((n) => n.name).sort();
        const ok =
          c.nodes.length === 5 &&
          c.nodes.every((n) => n.status === "up" && JSON.stringify([...n.links, n.name].sort()) === JSON.stringify(names));
        return ok ? c : undefined;
      },
      120_000,
      100,
    );
    measure("CLI-deployed stack: server start → its 5 nodes up and meshed", Date.now() - t0);
    expect(c.deploymentId).toBe(deployment);
    expect(c.desiredReplicas).toBe(5);
    expect(c.nodes.map((n) => n.slot).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const n of c.nodes) expect(n.name).toBe(`n-${deployment}@${n.replica!.ip}`);
    const [a, b] = [c.nodes[0]!.name, c.nodes[1]!.name];
    const r = await s.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: "to the CLI stack" });
    expect(r.status).toBe(202);
    await waitFor("the ack", async () => (await s!.api<MessageDTO>("GET", `/api/messages/${r.body.ids[0]}`)).body.status === "acked", 15_000);
    // Driven from the dashboard: scaled to 3 without touching its image or secret.
    expect((await s.api("PUT", "/api/cluster", { replicas: 3 })).status).toBe(202);
    await waitFor("3 nodes up", async () => {
      const c = await cluster();
      return c.nodes.length === 3 && c.nodes.every((n) => n.status === "up");
    }, 60_000);
    expect(docker(["service", "inspect", "-f", "{{(index .Spec.TaskTemplate.ContainerSpec.Secrets 0).SecretName}}", `${stack}_node`])).toBe(secret);
  });
});
