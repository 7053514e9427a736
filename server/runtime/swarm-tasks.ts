import type { Replica } from "./types";

/** The fields of a Swarm task (GET /tasks) that the runtime reads. */
export interface SwarmTask {
  ID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status?: {
    State?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ContainerID?: string; PID?: number; ExitCode?: number };
  };
  NetworksAttachments?: Array<{
    Network?: { ID?: string; Spec?: { Name?: string } };
    Addresses?: string[];
  }>;
}

export interface TaskView {
  /** Desired replicas of the service (slots above it are being removed). */
  desired: number;
  /** The stack's overlay network, by id or name: the address on it is the node's address. */
  networkId: string | null;
  networkName: string;
  /** Erlang node name before the "@" (the service's SWARMSCOPE_NAME). */
  erlangName: string;
  /** Swarm node id → hostname. */
  hosts: ReadonlyMap<string, string>;
}

const LIVE_DESIRED = new Set(["running", "ready", "accepted", "new", "pending", "assigned"]);

function created(t: SwarmTask): number {
  return t.CreatedAt ? Date.parse(t.CreatedAt) : 0;
}

/** The task's address on the stack network, without the prefix length. */
export function overlayIp(t: SwarmTask, networkId: string | null, networkName: string): string | undefined {
  const atts = t.NetworksAttachments ?? [];
  const mine =
    atts.find((a) => networkId !== null && a.Network?.ID === networkId) ??
    atts.find((a) => a.Network?.Spec?.Name === networkName) ??
    atts.find((a) => a.Network?.Spec?.Name !== "ingress");
  const addr = mine?.Addresses?.[0];
  return addr ? addr.split("/")[0] : undefined;
}

/**
 * One replica per slot: the slot's newest task (Swarm keeps a few old ones per slot as history;
 * their count is the slot's restarts). Slots whose newest task is being shut down and that are
 * above the desired count are gone.
 */
export function replicasFromTasks(tasks: SwarmTask[], view: TaskView): Replica[] {
  const bySlot = new Map<number, SwarmTask[]>();
  for (const t of tasks) {
    if (t.Slot === undefined) continue;
    const list = bySlot.get(t.Slot) ?? [];
    list.push(t);
    bySlot.set(t.Slot, list);
  }
  const out: Replica[] = [];
  for (const [slot, list] of bySlot) {
    list.sort((a, b) => created(b) - created(a));
    const cur = list[0]!;
    const live = LIVE_DESIRED.has(cur.DesiredState ?? "");
    if (!live && slot > view.desired) continue;
    const ip = overlayIp(cur, view.networkId, view.networkName);
    const state = cur.Status?.State ?? "unknown";
    const cs = cur.Status?.ContainerStatus;
    const err = cur.Status?.Err;
    const r: Replica = {
      id: cur.ID,
      slot,
      state,
      host: (cur.NodeID && view.hosts.get(cur.NodeID)) || cur.NodeID || "?",
      ...(cur.NodeID ? { hostId: cur.NodeID } : {}),
      taskId: cur.ID,
      restarts: list.length - 1,
      nodeName: ip ? `${view.erlangName}@${ip}` : null,
    };
    if (cs?.ContainerID) r.containerId = cs.ContainerID;
    if (cs?.PID) r.pid = cs.PID;
    if (ip) r.ip = ip;
    if (err) r.error = err;
    out.push(r);
  }
  return out.sort((a, b) => a.slot - b.slot);
}
