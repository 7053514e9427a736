import type { FaultBody } from "../../lib/contracts/fault-requests";
import { ApiError, ConflictError } from "../errors";

// A fault request checked against the cluster: names resolved (a full node name, or a replica id
// such as "n3"), every node known and up, no node on both sides. Throws a 400 (bad input) or a
// 409 (at odds with the state now) before anything is done.

export interface Directory {
  /** The full node name for a name or replica id, or null when unknown. */
  resolve(name: string): string | null;
  isUp(node: string): boolean;
  upNodes(): string[];
  short(node: string): string;
}

export interface Targets {
  nodes: string[];
  groups: [string[], string[]] | null;
}

function names(dir: Directory, list: readonly string[]): string[] {
  const unknown = list.filter((n) => dir.resolve(n) === null);
  if (unknown.length > 0) {
    const up = dir.upNodes().map((n) => dir.short(n));
    throw new ApiError(400, `unknown node${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; nodes up: ${up.join(", ") || "none"}`);
  }
  return [...new Set(list.map((n) => dir.resolve(n)!))];
}

function requireUp(dir: Directory, nodes: string[]): void {
  const down = nodes.filter((n) => !dir.isUp(n));
  if (down.length > 0) throw new ConflictError(`${down.map((n) => dir.short(n)).join(", ")} ${down.length > 1 ? "are" : "is"} not up`);
}

function partitionGroups(dir: Directory, body: FaultBody): [string[], string[]] {
  const a = names(dir, body.groups?.[0] ?? body.nodes ?? []);
  const b = body.groups ? names(dir, body.groups[1]!) : dir.upNodes().filter((n) => !a.includes(n));
  const both = a.filter((n) => b.includes(n));
  if (both.length > 0) throw new ApiError(400, `a node cannot be in both groups: ${both.map((n) => dir.short(n)).join(", ")}`);
  if (b.length === 0) throw new ApiError(400, "the other group would be empty: every node up is in group A");
  requireUp(dir, [...a, ...b]);
  return [a, b];
}

/** The nodes and groups a fault request names, checked. */
export function targetsOf(dir: Directory, body: FaultBody): Targets {
  if (body.kind === "partition") {
    const groups = partitionGroups(dir, body);
    return { nodes: [...groups[0], ...groups[1]], groups };
  }
  const nodes = names(dir, body.nodes ?? []);
  requireUp(dir, nodes);
  return { nodes, groups: null };
}
