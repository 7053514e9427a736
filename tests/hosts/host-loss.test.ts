// A host lost, two ways: its Docker engine stopped (Swarm sees the node down and reschedules its
// tasks on the manager), and a drain through the API (Swarm moves its tasks away). The dashboard
// shows the nodes going down, the replacements coming up, and keeps every message accounted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDTO, StatsDTO } from "../../lib/contracts/http-replies";
import { hostById, hostsGate, nodesOn, swarmHosts } from "./helpers";
import { TwoHostCluster, measure } from "./cluster";

const { found, skip } = await hostsGate();

describe.skipIf(skip)("a host lost: the worker's engine stopped, then the worker drained", () => {
  let k: TwoHostCluster;
  let stopped = false;
  const worker = () => (found.ok ? found.host : null)!;
  const onWorker = (c: ClusterDTO) => nodesOn(c, worker().id);

  beforeAll(async () => {
    if (!found.ok) throw new Error(`CI=true and no extra Swarm host: ${found.reason}`);
    k = new TwoHostCluster(found.host);
    await k.start();
    expect((await k.s.api("PUT", "/api/cluster", { replicas: 4 })).status).toBe(202);
    const c = await k.until("4 up and meshed", () => k.mesh(4), 120_000);
    expect(onWorker(c).length).toBeGreaterThan(0);
  });

  afterAll(async () => {
    if (stopped) swarmHosts(["start", String(worker().index)]);
    await k?.stop();
  });

  it("stops the worker's engine: its nodes down, Swarm reschedules them on the manager, all up again, books balanced", async () => {
    const c = (await k.mesh(4))!;
    const lostNodes = onWorker(c).map((n) => n.name);
    expect((await k.s.api("POST", "/api/traffic", { pattern: "storm", rate: 200, durationS: 120 })).status).toBe(202);
    const t0 = Date.now();
    stopped = true;
    swarmHosts(["stop", String(worker().index)]); // SIGTERM: dockerd stops its containers and ends
    measure("worker engine stop (SIGTERM, containers stopped) took", Date.now() - t0);
    await k.until("the worker's nodes down", async () => {
      const x = await k.cluster();
      return lostNodes.every((n) => x.nodes.find((y) => y.name === n)?.status !== "up");
    }, 60_000, 50);
    measure("worker engine stopped → its nodes down in the API", Date.now() - t0);
    await k.until("Swarm to see the worker down", async () => hostById(await k.hosts(), worker().id)?.state === "down", 120_000, 200);
    measure("worker engine stopped → Swarm says the node is down", Date.now() - t0);
    const after = await k.until("4 up and meshed, all on the manager", async () => {
      const x = await k.mesh(4);
      return x && x.nodes.every((n) => n.replica?.hostId === k.manager) ? x : undefined;
    }, 180_000, 100);
    measure("host stop → all 4 replicas up again (rescheduled on the manager, meshed)", Date.now() - t0);
    expect(after.nodes.some((n) => lostNodes.includes(n.name))).toBe(false);
    expect([200, 404]).toContain((await k.s.api("DELETE", "/api/traffic")).status); // 404: it ended with its nodes
    const st = await k.until("nothing in flight", async () => {
      const s = (await k.s.api<StatsDTO>("GET", "/api/stats")).body;
      return s.inFlight === 0 ? s : undefined;
    }, 30_000, 100);
    measure("host stop under a storm (200 msgs/s)", `sent ${st.sent}, received ${st.received}, lost ${st.lost}, failed ${st.failed}`);
    expect(st.sent).toBe(st.received + st.lost + st.inFlight);
  });

  it("the engine back: the worker Ready again, its agent back; a drain moves its tasks to the manager", async () => {
    const t0 = Date.now();
    swarmHosts(["start", String(worker().index)]);
    stopped = false;
    await k.until("the worker Ready with its agent", async () => {
      const h = hostById(await k.hosts(), worker().id);
      return h?.state === "ready" && h.agent === "up";
    }, 120_000, 200);
    measure("worker engine started → Ready in Swarm, its agent reachable", Date.now() - t0);
    // New tasks go where there are fewest: the worker.
    expect((await k.s.api("PUT", "/api/cluster", { replicas: 6 })).status).toBe(202);
    const six = await k.until("6 up and meshed, some on the worker", async () => {
      const x = await k.mesh(6);
      return x && onWorker(x).length > 0 ? x : undefined;
    }, 120_000);
    const moving = onWorker(six).map((n) => n.name);
    const t1 = Date.now();
    const r = await k.s.api("PUT", `/api/hosts/${worker().id}`, { availability: "drain" });
    expect(r.status).toBe(200);
    expect(r.body.host.availability).toBe("drain");
    const drained = await k.until("6 up and meshed, none on the worker", async () => {
      const x = await k.mesh(6);
      return x && onWorker(x).length === 0 ? x : undefined;
    }, 120_000);
    measure(`drain → the worker's ${moving.length} tasks rescheduled and rediscovered, 6 meshed`, Date.now() - t1);
    expect(drained.nodes.some((n) => moving.includes(n.name))).toBe(false);
    expect(hostById(await k.hosts(), worker().id)!.replicas).toEqual([]);
    expect((await k.s.api("PUT", `/api/hosts/${worker().id}`, { availability: "active" })).body.host.availability).toBe("active");
    expect((await k.s.api("PUT", "/api/hosts/no-such-node", { availability: "drain" })).status).toBe(404);
    expect((await k.s.api("PUT", `/api/hosts/${worker().id}`, { availability: "gone" })).status).toBe(400);
  });
});
