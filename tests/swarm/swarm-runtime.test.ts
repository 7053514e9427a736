// The Swarm runtime on a real Docker Swarm: deploy, discover over the overlay, message, kill,
// scale. Skipped (with a message) when no Docker engine is reachable, unless CI=true.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../server/errors";
import type { SwarmRuntime } from "../../server/runtime/swarm";
import type { Replica } from "../../server/runtime/types";
import {
  BridgeSession,
  docker,
  ensureErlangBuilt,
  eventually,
  measure,
  newRuntime,
  swarmGate,
  randomId,
  removeStackLeftovers,
  repoRoot,
  running,
  saveMeasurements,
} from "./helpers";

const { probe, skip } = await swarmGate();

const STACK = "sstest";

describe.skipIf(skip)("Swarm runtime on a real Docker Swarm", () => {
  let rt: SwarmRuntime;
  let bridge: BridgeSession | null = null;
  const changes: Array<{ at: number; replicas: Replica[] }> = [];

  const nodesOf = (rs: Replica[]) => running(rs).map((r) => r.nodeName!);
  const state = () => ({ replicas: rt.list().map((r) => `${r.slot}:${r.state}:${r.ip ?? "-"}`), bridge: bridge?.summary() });

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    await removeStackLeftovers(STACK, [`${STACK}_cookie`]);
    rt = newRuntime({ stack: STACK, deploymentId: randomId("t") });
    rt.on("change", (replicas) => changes.push({ at: Date.now(), replicas }));
  });

  afterAll(async () => {
    if (!probe.ok) return;
    await bridge?.transport.kill();
    if (rt) {
      await rt.scale(0).catch(() => {});
      await rt.close();
    }
    await removeStackLeftovers(STACK, [`${STACK}_cookie`]);
    saveMeasurements(path.join(repoRoot, "test-results", "swarm-timings.json"));
  });

  it("reports a ready swarm engine", async () => {
    expect(await rt.status()).toEqual({ ready: true });
  });

  it("has the node image, built when missing (tagged with the code's hash and latest)", async () => {
    const progress: string[] = [];
    rt.on("progress", (p) => progress.push(p));
    const t0 = Date.now();
    const tag = await rt.prepare();
    measure(progress.length ? "node image build (incl. base image if missing)" : "node image check (already built)", Date.now() - t0);
    expect(tag).toMatch(/^swarmscope-node:[0-9a-f]{12}$/);
    const ids = [tag, "swarmscope-node:latest"].map((t) => docker(["image", "inspect", "-f", "{{.Id}}", t]));
    expect(ids[0]).toBe(ids[1]);
    expect(await rt.prepare()).toBe(tag); // no change, no rebuild
  });

  it("opens the bridge as a one-replica service on the overlay network: it says hello", async () => {
    const t0 = Date.now();
    bridge = new BridgeSession(await rt.openBridge());
    const hello = await eventually(() => bridge!.find((f) => f.t === "hello"), 30_000, "hello", state);
    expect(String(hello.frame.bridge)).toMatch(new RegExp(`^bridge-${rt.deploymentId}@\\d+\\.\\d+\\.\\d+\\.\\d+$`));
    measure("bridge service create → hello", hello.at - t0);
    // attached with its logs: the hello said before the attach arrives, and only once
    expect(bridge.frames.filter((f) => f.frame.t === "hello")).toHaveLength(1);
    const discover = rt.discovery();
    expect(discover).toEqual({ t: "discover", mode: "dns", query: `tasks.${STACK}_node`, name: `n-${rt.deploymentId}` });
    bridge.send(discover); // no replica yet: the bridge keeps looking every 500 ms
  });

  it("scales 0 → 5: five running tasks with overlay addresses, all five nodes up at the bridge, a full mesh", async () => {
    const progress: string[] = [];
    rt.on("progress", (p) => progress.push(p));
    const t0 = Date.now();
    await rt.scale(5);
    const accepted = Date.now();
    const done = await eventually(
      () => changes.find((c) => c.at >= t0 && running(c.replicas).length === 5),
      120_000,
      "5 running tasks",
      state,
    );
    measure("scale 0→5: accepted by swarm", accepted - t0);
    measure("scale 0→5: all 5 tasks running (docker events)", done.at - t0);
    const rs = running(rt.list());
    expect(rs.map((r) => r.slot)).toEqual([1, 2, 3, 4, 5]);
    for (const r of rs) {
      expect(r.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(r.nodeName).toBe(`n-${rt.deploymentId}@${r.ip}`);
      expect(r.containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(r.host).not.toBe("?");
    }
    expect(new Set(rs.map((r) => r.ip)).size).toBe(5);
    expect(progress.some((p) => p.startsWith("starting replicas"))).toBe(true);
    expect(docker(["stack", "ls", "--format", "{{.Name}}"]).split("\n")).toContain(STACK);

    const nodes = nodesOf(rt.list());
    await eventually(() => nodes.every((n) => bridge!.upNodes().has(n)), 30_000, "nodeup for all 5", state);
    const lastUp = Math.max(...nodes.map((n) => bridge!.find((f) => f.t === "nodeup" && f.node === n)!.at));
    measure("scale 0→5: all 5 Erlang nodeup at the bridge", lastUp - t0);
    expect(bridge!.upNodes().size).toBe(5);
    await eventually(() => bridge!.fullMesh(nodes), 30_000, "links frames showing a full mesh", () => [
      ...bridge!.links(),
    ]);
    measure("scale 0→5: full mesh in links frames", Date.now() - t0);
  });

  it("sends a message between two replicas over Erlang distribution: sent, received, acked", async () => {
    const [from, to] = nodesOf(rt.list()) as [string, string];
    const id = randomId("m");
    const t0 = Date.now();
    bridge!.send({ t: "send", id, from, to, content: "hello over the overlay" });
    const acked = await eventually(
      () => bridge!.events().find((e) => e.id === id && e.e === "acked"),
      15_000,
      `message ${id} acked`,
      () => bridge!.events().filter((e) => e.id === id),
    );
    const evs = bridge!.events().filter((e) => e.id === id);
    const sent = evs.find((e) => e.e === "sent");
    const received = evs.find((e) => e.e === "received");
    expect(sent).toMatchObject({ node: from, to, content: "hello over the overlay" });
    expect(received).toMatchObject({ node: to, from, content: "hello over the overlay", seed: false });
    expect(acked).toMatchObject({ node: from, to });
    measure("send → acked seen at the bridge", acked.at - t0);
  });

  it("a burst of 2,000 messages: every event comes through the attach intact, in frames far larger than one Docker stream record", async () => {
    // Events carry up to 1,024 characters of content; under load a node puts up to 500 events in
    // a report, so these frames span many of Docker's stdout records and socket chunks (split by
    // docker-modem's demuxStream). One byte lost or misplaced would change a content or an id, or
    // break the framing. Messages sent one by one (`send`) are the ones with events of their own
    // (traffic runs are accounted in runs, erlang/PROTOCOL.md).
    const [from, to] = nodesOf(rt.list()) as [string, string];
    const content = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join(""); // quotes and backslashes included
    const run = randomId("burst");
    const count = 2000;
    const firstFrame = bridge!.frames.length;
    const t0 = Date.now();
    for (let i = 0; i < count; i++) bridge!.send({ t: "send", id: `${run}.${i}`, from, to, content });
    const ofRun = (e: string) => bridge!.events().filter((ev) => ev.e === e && ev.id?.startsWith(`${run}.`));
    await eventually(() => ofRun("received").length >= count && ofRun("sent").length >= count, 30_000, `${count} sent and received`, () => ({
      sent: ofRun("sent").length,
      received: ofRun("received").length,
      bridge: bridge!.summary(),
    }));
    measure(`burst of ${count} messages of 1,000 characters: start → all received at the bridge`, Date.now() - t0);
    for (const e of ["sent", "received"]) {
      const evs = ofRun(e);
      expect(evs).toHaveLength(count);
      expect(new Set(evs.map((ev) => ev.id)).size).toBe(count);
      expect(evs.every((ev) => ev.content === content)).toBe(true);
    }
    const sizes = bridge!.frames.slice(firstFrame).filter((f) => f.frame.t === "report").map((f) => JSON.stringify(f.frame).length);
    console.log(`[measure] burst: ${sizes.length} report frames, largest ${Math.max(...sizes)} bytes`);
    expect(Math.max(...sizes)).toBeGreaterThan(64 * 1024);
    expect(bridge!.exitReason).toBeNull();
  });

  it("kill of a task that does not exist is a NotFoundError (404), not a crash", async () => {
    const err = await rt.kill("no-such-task").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, message: `no task no-such-task in service ${STACK}_node` });
  });

  it("a docker kill of a task's container: nodedown, then a replacement task's node comes up", async () => {
    const before = running(rt.list());
    const victim = before[0]!;
    const t0 = Date.now();
    await rt.kill(victim.id);
    const down = await eventually(
      () => bridge!.find((f) => f.t === "nodedown" && f.node === victim.nodeName, t0),
      30_000,
      `nodedown of ${victim.nodeName}`,
      state,
    );
    measure("docker kill → nodedown at the bridge", down.at - t0);
    const replacement = await eventually(
      () => running(rt.list()).find((r) => r.slot === victim.slot && r.id !== victim.id),
      60_000,
      `a new running task in slot ${victim.slot}`,
      state,
    );
    const taskRunning = changes.find((c) => c.at >= t0 && running(c.replicas).some((r) => r.id === replacement.id))!;
    measure("docker kill → replacement task running", taskRunning.at - t0);
    expect(replacement.restarts).toBeGreaterThanOrEqual(1);
    const up = await eventually(
      () => bridge!.find((f) => f.t === "nodeup" && f.node === replacement.nodeName, t0),
      60_000,
      `nodeup of the replacement ${replacement.nodeName}`,
      state,
    );
    measure("docker kill → replacement nodeup at the bridge", up.at - t0);
    expect(down.frame.reason).toBeTruthy();
    await eventually(() => running(rt.list()).length === 5 && bridge!.upNodes().size === 5, 30_000, "5 up again", state);
  });

  it("scales 5 → 2 → 4, the bridge following each step", async () => {
    const leaving = running(rt.list()).filter((r) => r.slot > 2).map((r) => r.nodeName!);
    const t0 = Date.now();
    await rt.scale(2);
    expect(rt.desired()).toBe(2);
    const listed = await eventually(
      () => changes.find((c) => c.at >= t0 && c.replicas.length === 2),
      60_000,
      "2 tasks listed",
      state,
    );
    await eventually(() => running(rt.list()).length === 2 && bridge!.upNodes().size === 2, 60_000, "2 nodes up", state);
    const downs = leaving.map((n) => bridge!.find((f) => f.t === "nodedown" && f.node === n, t0)!.at);
    measure("scale 5→2: runtime lists 2 tasks (docker events)", listed.at - t0);
    measure("scale 5→2: 3rd nodedown at the bridge (graceful stop)", Math.max(...downs) - t0);
    expect(running(rt.list()).map((r) => r.slot)).toEqual([1, 2]);
    const two = new Set(nodesOf(rt.list()));
    expect(bridge!.upNodes()).toEqual(two);

    const t1 = Date.now();
    await rt.scale(4);
    await eventually(
      () => running(rt.list()).length === 4 && nodesOf(rt.list()).every((n) => bridge!.upNodes().has(n)),
      90_000,
      "4 running tasks, all nodes up",
      state,
    );
    measure("scale 2→4: all 4 nodes up", Date.now() - t1);
    expect(running(rt.list()).map((r) => r.slot)).toEqual([1, 2, 3, 4]);
    expect(bridge!.upNodes().size).toBe(4);
    await eventually(() => bridge!.fullMesh(nodesOf(rt.list())), 30_000, "a full mesh of 4", () => [...bridge!.links()]);
  });

  it("close() removes the bridge's service and leaves the node service running", async () => {
    const id = rt.deploymentId;
    await rt.close();
    expect(bridge!.exitReason).not.toBeNull();
    expect(docker(["service", "ls", "-q", "--filter", `name=${STACK}_bridge-${id}`])).toBe("");
    expect(docker(["service", "ls", "-q", "--filter", `name=${STACK}_relay-${id}`])).toBe("");
    await eventually(() => docker(["ps", "-aq", "--filter", `name=${STACK}_bridge-${id}`]) === "", 15_000, "the bridge's container gone");
    expect(docker(["service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", `${STACK}_node`])).toBe("4");
    bridge = null;
    // a new runtime (a restarted dashboard) finds the service and its tasks
    const again = newRuntime({ stack: STACK, deploymentId: id });
    try {
      await eventually(() => running(again.list()).length === 4, 15_000, "the service found again", () => again.list());
      expect(again.desired()).toBe(4);
      expect(again.discovery()).toMatchObject({ name: `n-${id}` });
    } finally {
      await again.scale(0);
      await again.close();
    }
  });
});
