import type { FaultDTO } from "../../lib/contracts/fault-replies";
import type { FaultKind } from "../../lib/contracts/fault-requests";

// One fault's record, and the pure rules of what "detected" and "restored" mean for each kind,
// judged against what the bridge reported (nodes up, each node's links).

export interface Fault {
  id: string;
  kind: FaultKind;
  nodes: string[];
  groups: [string[], string[]] | null;
  delayMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  status: FaultDTO["status"];
  how: string;
  startedAt: number;
  detectedAt: number | null;
  healedAt: number | null;
  restoredAt: number | null;
}

/** What the bridge said about the nodes: which are up, and each one's distribution links. */
export interface LinkView {
  isUp(node: string): boolean;
  upNodes(): string[];
  links(node: string): ReadonlySet<string>;
  /** The node standing for this one now (a killed Swarm task's replacement has a new name). */
  standIn(node: string): string;
}

export function toDTO(f: Fault): FaultDTO {
  const since = f.kind === "kill" ? f.detectedAt : f.healedAt;
  return {
    ...f,
    detectionMs: f.detectedAt === null ? null : Math.max(0, f.detectedAt - f.startedAt),
    restoreMs: f.restoredAt === null || since === null ? null : Math.max(0, f.restoredAt - since),
  };
}

/** The other side of a partition from `node` (empty when it is on neither side). */
export function otherSide(f: Fault, node: string): string[] {
  if (!f.groups) return [];
  const [a, b] = f.groups;
  return a.includes(node) ? b : b.includes(node) ? a : [];
}

/** Whether a message from → to crosses this partition. */
export function crosses(f: Fault, from: string, to: string): boolean {
  return otherSide(f, from).includes(to);
}

/** Either side still reports the link (a cut is seen once neither does). */
function linked(v: LinkView, a: string, b: string): boolean {
  return v.links(a).has(b) || v.links(b).has(a);
}

/** Both sides report the link (a thawed node's first report can be stale: its peers' is not). */
function linkedBoth(v: LinkView, a: string, b: string): boolean {
  return v.links(a).has(b) && v.links(b).has(a);
}

/** A node is linked to every other node up. */
function meshed(v: LinkView, node: string): boolean {
  return v.isUp(node) && v.upNodes().every((o) => o === node || linkedBoth(v, node, o));
}

/** Whether the dashboard now shows the fault: the nodes down, or no link across the cut. */
export function isDetected(f: Fault, v: LinkView): boolean {
  switch (f.kind) {
    case "kill":
    case "freeze":
      return f.nodes.every((n) => !v.isUp(n));
    case "partition": {
      const [a, b] = f.groups ?? [[], []];
      return a.every((x) => b.every((y) => !linked(v, x, y)));
    }
    default:
      return false; // delay and loss: detected when the proxy is in force (the nodes answered)
  }
}

/** Whether the cluster is whole again after the heal (a kill: after its restart). */
export function isRestored(f: Fault, v: LinkView): boolean {
  switch (f.kind) {
    case "partition": {
      const [a, b] = f.groups ?? [[], []];
      return a.every((x) => b.every((y) => !v.isUp(x) || !v.isUp(y) || linkedBoth(v, x, y)));
    }
    case "kill":
      return f.nodes.every((n) => meshed(v, v.standIn(n)));
    default:
      return f.nodes.every((n) => meshed(v, n));
  }
}
