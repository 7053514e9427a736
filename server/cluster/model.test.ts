import { describe, expect, it } from "vitest";
import { shortNodeName } from "../../lib/node-name";
import type { HostDTO } from "../../lib/contracts/http-replies";
import type { Replica } from "../runtime/types";
import { ClusterModel } from "./model";

// Swarm replicas as the runtime lists them: one per slot, all named n-<deployment>@<overlay IP>.
const task = (slot: number, state: string, ip: string | null, id = `task${slot}aaaaaaaaaaaaaaaaaaaa`): Replica => ({
  id,
  taskId: id,
  slot,
  state,
  host: "vm",
  restarts: 0,
  ...(ip ? { ip, containerId: `${slot}`.repeat(64).slice(0, 64) } : {}),
  nodeName: ip ? `n-ab12cd@${ip}` : null,
});

function setup() {
  const clock = { t: 1_000_000 };
  const model = new ClusterModel({ runtime: "swarm", deploymentId: "ab12cd", now: () => clock.t, joinGraceMs: 20_000, counts: () => ({ sent: 0, received: 0 }) });
  const events: string[] = [];
  model.on("event", (e) => events.push(`${e.kind}: ${e.text}`));
  model.setBridge({ status: "up" });
  return { model, clock, events };
}

describe("short node names", () => {
  it("tells Swarm replicas apart by slot, else by address; local names stay as they are", () => {
    expect(shortNodeName("n3-ab12cd@127.0.0.1")).toBe("n3");
    expect(shortNodeName("n3-ab12cd@127.0.0.1", 3)).toBe("n3");
    expect(shortNodeName("n-ab12cd@10.0.1.7", 3)).toBe("n3");
    expect(shortNodeName("n-ab12cd@10.0.1.7")).toBe("n@10.0.1.7");
    expect(shortNodeName("tx9 (no node name yet)", 2)).toBe("n2");
    expect(shortNodeName("node_4f2a@host")).toBe("node_4f2a");
    expect(shortNodeName("*")).toBe("all");
  });
});

describe("ClusterModel on Swarm", () => {
  it("shows tasks on their way as starting, then up when the node joins; event texts use the slot", () => {
    const { model, events } = setup();
    model.setDesired(2);
    model.setReplicas([task(1, "pending", null), task(2, "preparing", "10.0.1.3")], 2);
    expect(model.snapshot().nodes.map((n) => n.status)).toEqual(["starting", "starting"]);
    model.setReplicas([task(1, "running", "10.0.1.2"), task(2, "running", "10.0.1.3")], 2);
    model.nodeUp("n-ab12cd@10.0.1.2");
    model.nodeUp("n-ab12cd@10.0.1.3");
    const c = model.snapshot();
    expect(c.nodes.map((n) => [n.slot, n.status])).toEqual([
      [1, "up"],
      [2, "up"],
    ]);
    expect(c.progress).toMatchObject({ done: true, nodesUp: 2, replicasRunning: 2 });
    expect(events).toContain("nodeup: n2 joined");
    expect(events).toContain("replica: task task2aaaaaaa running");
  });

  it("follows a scale made behind its back (docker service scale / rm), but not during its own deploy", () => {
    const { model } = setup();
    model.setDesired(2);
    model.setReplicas([task(1, "running", "10.0.1.2")], 5); // an old count, while its own deploy runs
    expect(model.snapshot().desiredReplicas).toBe(2);
    model.setReplicas([task(1, "running", "10.0.1.2"), task(2, "running", "10.0.1.3")], 2);
    model.nodeUp("n-ab12cd@10.0.1.2");
    model.nodeUp("n-ab12cd@10.0.1.3");
    expect(model.snapshot().progress?.done).toBe(true);
    model.setReplicas([task(1, "running", "10.0.1.2"), task(2, "running", "10.0.1.3"), task(3, "pending", null)], 3);
    expect(model.snapshot().desiredReplicas).toBe(3);
    // docker service rm: the tasks go, then the nodes' nodedown: nothing stays behind
    model.setReplicas([], 0);
    model.nodeDown("n-ab12cd@10.0.1.2", "connection_closed");
    model.nodeDown("n-ab12cd@10.0.1.3", "connection_closed");
    expect(model.snapshot()).toMatchObject({ desiredReplicas: 0, nodes: [] });
  });

  it("a killed task: its node down at once, the slot's new task starting, then its node up", () => {
    const { model, clock } = setup();
    model.setReplicas([task(1, "running", "10.0.1.2", "old1aaaaaaaaaaaaaaaaaaaaa")], 1);
    clock.t += 100;
    model.nodeUp("n-ab12cd@10.0.1.2");
    clock.t += 5000;
    model.nodeDown("n-ab12cd@10.0.1.2", "connection_closed");
    expect(model.snapshot().nodes).toMatchObject([{ slot: 1, status: "down", downReason: "connection_closed" }]);
    model.setReplicas([{ ...task(1, "pending", null, "new1aaaaaaaaaaaaaaaaaaaaa"), restarts: 1 }], 1);
    expect(model.snapshot().nodes).toMatchObject([{ slot: 1, status: "starting" }]);
    model.setReplicas([{ ...task(1, "running", "10.0.1.9", "new1aaaaaaaaaaaaaaaaaaaaa"), restarts: 1 }], 1);
    model.nodeUp("n-ab12cd@10.0.1.9");
    const [n] = model.snapshot().nodes;
    expect(n).toMatchObject({ slot: 1, status: "up", name: "n-ab12cd@10.0.1.9", flags: [] });
  });

  it("flags a task that runs but whose node never joined, and a node with no task", () => {
    const { model, clock } = setup();
    model.setReplicas([task(1, "running", "10.0.1.2")], 1);
    clock.t += 25_000;
    expect(model.snapshot().nodes[0]!.flags[0]).toMatch(/replica running for 25 s, Erlang node never joined/);
    model.nodeUp("n-ab12cd@10.0.1.50");
    const stray = model.snapshot().nodes.find((n) => n.name === "n-ab12cd@10.0.1.50")!;
    expect(stray).toMatchObject({ status: "up", slot: null, replica: null, flags: ["Erlang node with no replica the runtime knows of"] });
  });
});

describe("ClusterModel: a killed node stays down until a new process or container runs it", () => {
  it("ignores a late state report for the same container, and shows the replacement as starting", () => {
    const { model, clock } = setup();
    const ip = "10.0.1.7";
    model.setReplicas([task(3, "starting", ip)]);
    model.nodeUp(`n-ab12cd@${ip}`);
    clock.t += 1000;
    model.nodeDown(`n-ab12cd@${ip}`, "connection_closed");
    clock.t += 10;
    // Docker events lag: the runtime reports the killed task's state change afterwards.
    model.setReplicas([task(3, "running", ip)]);
    expect(model.snapshot().nodes[0]).toMatchObject({ slot: 3, status: "down", downReason: "connection_closed" });
    // Swarm's replacement task: another id, container and address.
    clock.t += 1000;
    model.setReplicas([task(3, "running", "10.0.1.9", "task3bbbbbbbbbbbbbbbbbbbb")]);
    expect(model.snapshot().nodes.map((n) => [n.slot, n.status])).toEqual([[3, "starting"]]);
  });

  it("locally: the same replica id with a new pid is a restart", () => {
    const { model, clock } = setup();
    const name = "n1-ab12cd@127.0.0.1";
    const local = (pid: number | undefined, state: string, restarts: number): Replica => ({
      id: "n1", slot: 1, state, host: "127.0.0.1", restarts, nodeName: name, ...(pid ? { pid } : {}),
    });
    model.setReplicas([local(100, "running", 0)]);
    model.nodeUp(name);
    clock.t += 1000;
    model.nodeDown(name, "connection_closed");
    clock.t += 5;
    model.setReplicas([local(100, "running", 0)]);
    expect(model.snapshot().nodes[0]!.status).toBe("down");
    clock.t += 1000;
    model.setReplicas([local(200, "running", 1)]);
    expect(model.snapshot().nodes[0]!.status).toBe("starting");
    model.nodeUp(name);
    expect(model.snapshot().nodes[0]!.status).toBe("up");
  });
});

describe("ClusterModel: strangers", () => {
  it("lists a visible node in the replicas' links that is no replica as a stranger, apart from the nodes", () => {
    const { model } = setup();
    model.setReplicas([task(1, "running", "10.0.1.2"), task(2, "running", "10.0.1.3")], 2);
    const [a, b] = ["n-ab12cd@10.0.1.2", "n-ab12cd@10.0.1.3"];
    model.nodeUp(a);
    model.nodeUp(b);
    model.setLinks(a, [b, "me@10.0.0.9"]);
    model.setLinks(b, [a, "me@10.0.0.9"]);
    const c = model.snapshot();
    expect(c.strangers).toEqual([{ name: "me@10.0.0.9", host: "10.0.0.9", links: [a, b] }]);
    expect(c.nodes.map((n) => n.name)).toEqual([a, b]);
    // it leaves: the replicas' links shrink, and it is gone
    model.setLinks(a, [b]);
    model.setLinks(b, [a]);
    expect(model.snapshot().strangers).toEqual([]);
  });

  it("a replica's node that is down, or not yet reported up, is no stranger", () => {
    const { model } = setup();
    model.setReplicas([task(1, "running", "10.0.1.2"), task(2, "starting", "10.0.1.3")], 2);
    model.nodeUp("n-ab12cd@10.0.1.2");
    model.setLinks("n-ab12cd@10.0.1.2", ["n-ab12cd@10.0.1.3"]);
    expect(model.snapshot().strangers).toEqual([]);
  });
});

describe("ClusterModel stays bounded", () => {
  it("10,000 Swarm replacements (new task id, new overlay IP each) leave its maps the size of the cluster", () => {
    const { model } = setup();
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const current = new Map<number, Replica>();
    for (let slot = 1; slot <= 5; slot++) current.set(slot, task(slot, "running", ip(slot), `t${slot}`));
    model.setReplicas([...current.values()], 5);
    for (const r of current.values()) model.nodeUp(r.nodeName!);
    let peak = 0;
    for (let i = 6; i < 10_006; i++) {
      const slot = (i % 5) + 1;
      const old = current.get(slot)!;
      const next = task(slot, "running", ip(i), `t${i}`);
      model.nodeDown(old.nodeName!, "connection_closed");
      current.set(slot, next);
      model.setReplicas([...current.values(), { ...old, state: "shutdown" }], 5); // the old task is still listed
      model.nodeUp(next.nodeName!);
      model.setReplicas([...current.values()], 5); // then it is gone
      peak = Math.max(peak, ...Object.values(model.bookkeepingSizes()));
    }
    expect(peak).toBeLessThanOrEqual(6);
    expect(model.bookkeepingSizes()).toEqual({ replicaSince: 5, incarnation: 5, startedSince: 5, slotOf: 5, erlang: 5 });
    const c = model.snapshot();
    expect(c.nodes.map((n) => [n.slot, n.status])).toEqual([1, 2, 3, 4, 5].map((s) => [s, "up"]));
    expect(model.short(current.get(3)!.nodeName!)).toBe("n3");
  }, 30_000); // ~0.5 s alone; a machine busy with 200 booting BEAMs made it 18 s
});
describe("ClusterModel hosts", () => {
  const host = (over: Partial<HostDTO> = {}): HostDTO => ({
    id: "w1aaaaaaaaaaaaaaaa", hostname: "swarmscope-host1", role: "worker", leader: false, state: "ready", availability: "active",
    engine: "20.10.24", address: "198.18.100.2", self: false, agent: "up", partitionedSince: null, replicas: [], ...over,
  });

  it("carries the runtime's hosts, and says when a host's state, availability, agent or cut changes", () => {
    const { model, events } = setup();
    model.setHosts([host()]);
    model.setHosts([host({ replicas: ["n-ab12cd@10.0.1.7"] })]); // placement alone is no event
    model.setHosts([host({ state: "down", agent: "down" })]);
    model.setHosts([host({ partitionedSince: 5 })]);
    expect(model.snapshot().hosts).toEqual([host({ partitionedSince: 5 })]);
    expect(events.filter((e) => e.startsWith("host:"))).toEqual([
      "host: host swarmscope-host1 (w1aaaaaaaaaa) ready, active, agent up",
      "host: host swarmscope-host1 (w1aaaaaaaaaa) down, active, agent down",
      "host: host swarmscope-host1 (w1aaaaaaaaaa) ready, active, agent up, cut off",
    ]);
  });

  it("says on which host Swarm placed a task", () => {
    const { model, events } = setup();
    model.setReplicas([{ ...task(1, "assigned", null), hostId: "w1", host: "swarmscope-host1" }]);
    expect(events).toContain("replica: task task1aaaaaaa assigned on swarmscope-host1");
  });
});
