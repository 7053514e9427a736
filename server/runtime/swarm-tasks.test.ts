import { describe, expect, it } from "vitest";
import { type SwarmTask, overlayIp, replicasFromTasks } from "./swarm-tasks";

const NET = "net1";
const view = {
  desired: 2,
  networkId: NET,
  networkName: "st_net",
  erlangName: "n-ab12",
  hosts: new Map([["node1", "host-a"]]),
};

function task(id: string, slot: number, created: string, state: string, desired: string, ip?: string): SwarmTask {
  return {
    ID: id,
    Slot: slot,
    NodeID: "node1",
    CreatedAt: created,
    DesiredState: desired,
    Status: { State: state, ContainerStatus: { ContainerID: `c-${id}`, PID: 42 } },
    NetworksAttachments: ip
      ? [
          { Network: { ID: "ingress1", Spec: { Name: "ingress" } }, Addresses: ["10.255.0.9/16"] },
          { Network: { ID: NET, Spec: { Name: "st_net" } }, Addresses: [`${ip}/24`] },
        ]
      : [],
  };
}

describe("replicasFromTasks", () => {
  it("gives one replica per slot: the newest task, with the older ones counted as restarts", () => {
    const rs = replicasFromTasks(
      [
        task("old", 1, "2025-01-01T00:00:00Z", "failed", "shutdown", "10.0.1.2"),
        task("new", 1, "2025-01-01T00:01:00Z", "running", "running", "10.0.1.7"),
        task("b", 2, "2025-01-01T00:00:00Z", "starting", "running", "10.0.1.3"),
      ],
      view,
    );
    expect(rs).toEqual([
      {
        id: "new",
        slot: 1,
        state: "running",
        host: "host-a",
        hostId: "node1",
        taskId: "new",
        restarts: 1,
        nodeName: "n-ab12@10.0.1.7",
        containerId: "c-new",
        pid: 42,
        ip: "10.0.1.7",
      },
      expect.objectContaining({ id: "b", slot: 2, state: "starting", nodeName: "n-ab12@10.0.1.3", restarts: 0 }),
    ]);
  });

  it("drops slots above the desired count once their task is being shut down", () => {
    const rs = replicasFromTasks(
      [
        task("a", 1, "2025-01-01T00:00:00Z", "running", "running", "10.0.1.2"),
        task("c", 3, "2025-01-01T00:00:00Z", "running", "shutdown", "10.0.1.4"),
      ],
      view,
    );
    expect(rs.map((r) => r.slot)).toEqual([1]);
  });

  it("has no node name before the task has an address", () => {
    const [r] = replicasFromTasks([task("p", 1, "2025-01-01T00:00:00Z", "pending", "running")], view);
    expect(r).toMatchObject({ state: "pending", nodeName: null });
    expect(r?.ip).toBeUndefined();
  });
});

describe("overlayIp", () => {
  it("takes the stack network's address, not ingress's", () => {
    const t = task("a", 1, "2025-01-01T00:00:00Z", "running", "running", "10.0.1.2");
    expect(overlayIp(t, NET, "st_net")).toBe("10.0.1.2");
    expect(overlayIp(t, null, "st_net")).toBe("10.0.1.2");
  });
});
