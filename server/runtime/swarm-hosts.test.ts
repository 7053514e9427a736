import { describe, expect, it } from "vitest";
import { type SwarmNode, hostsFromNodes, membersOf, partitionPlan } from "./swarm-hosts";
import type { Replica } from "./types";

const nodes: SwarmNode[] = [
  {
    ID: "w1",
    Spec: { Role: "worker", Availability: "drain" },
    Description: { Hostname: "swarmscope-host1", Engine: { EngineVersion: "20.10.24" } },
    Status: { State: "down", Addr: "198.18.100.2" },
  },
  {
    ID: "m1",
    Spec: { Role: "manager", Availability: "active" },
    Description: { Hostname: "vm", Engine: { EngineVersion: "20.10.24" } },
    Status: { State: "ready", Addr: "0.0.0.0" },
    ManagerStatus: { Leader: true, Addr: "198.18.100.1:2377" },
  },
];

function replica(id: string, hostId: string, ip?: string, state = "running"): Replica {
  return { id, slot: 1, state, host: hostId, hostId, restarts: 0, nodeName: ip ? `n-x@${ip}` : null, containerId: `c-${id}`, ...(ip ? { ip } : {}) };
}

describe("hostsFromNodes", () => {
  it("maps Swarm nodes to hosts, manager first, with agent, cut and the replicas on each", () => {
    const hosts = hostsFromNodes(nodes, [replica("t1", "m1", "10.0.1.2"), replica("t2", "w1", "10.0.1.3"), replica("t3", "w1")], {
      self: "m1",
      agents: new Set(["m1"]),
      partitioned: new Map([["w1", 1234]]),
    });
    expect(hosts).toEqual([
      {
        id: "m1", hostname: "vm", role: "manager", leader: true, state: "ready", availability: "active", engine: "20.10.24",
        address: "198.18.100.1", self: true, agent: "up", partitionedSince: null, replicas: ["n-x@10.0.1.2"],
      },
      {
        id: "w1", hostname: "swarmscope-host1", role: "worker", leader: false, state: "down", availability: "drain", engine: "20.10.24",
        address: "198.18.100.2", self: false, agent: "down", partitionedSince: 1234, replicas: ["n-x@10.0.1.3", "t3"],
      },
    ]);
  });
});

describe("partitionPlan", () => {
  const members = membersOf([
    replica("a", "m1", "10.0.1.2"),
    replica("b", "m1", "10.0.1.3"),
    replica("c", "w1", "10.0.1.4"),
    replica("d", "w1", "10.0.1.5", "starting"), // not running: not cut (yet)
    replica("e", "w1"), // no address yet
  ]);

  it("cuts the members on the host from the others, and the others from them", () => {
    expect(members.map((m) => m.container)).toEqual(["c-a", "c-b", "c-c"]);
    expect(partitionPlan("w1", members)).toEqual([
      { host: "w1", container: "c-c", ips: ["10.0.1.2", "10.0.1.3"] },
      { host: "m1", container: "c-a", ips: ["10.0.1.4"] },
      { host: "m1", container: "c-b", ips: ["10.0.1.4"] },
    ]);
  });

  it("has nothing to cut when one side is empty", () => {
    expect(partitionPlan("w9", members)).toEqual([]);
    expect(partitionPlan("m1", members.filter((m) => m.host === "m1"))).toEqual([]);
  });
});
