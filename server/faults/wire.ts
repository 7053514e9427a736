import type { RuntimeKind } from "../../lib/contracts/common";
import type { Books } from "../books/books";
import type { FaultCommand } from "../bridge/protocol";
import type { ClusterModel } from "../cluster/model";
import { createApplier } from "./applier";
import { FaultRegistry } from "./registry";

export interface FaultWiring {
  model: ClusterModel;
  books: Books;
  kind: () => RuntimeKind;
  request: (cmd: Omit<FaultCommand, "ref">) => Promise<unknown>;
  kill: (node: string) => Promise<void>;
  freeze: (node: string, frozen: boolean) => Promise<void>;
  networkCut: () => ((a: string[], b: string[], cut: boolean) => Promise<void>) | undefined;
  remesh: () => void;
  tickMs: number;
}

/** A full node name for a name, a replica id, or a slot name ("n3", on Swarm too); null when unknown. */
export function resolveNode(m: ClusterModel, name: string): string | null {
  if (m.knows(name)) return name;
  const r = m.findReplica(name)?.nodeName;
  if (r) return r;
  const slot = /^n(\d{1,4})$/.exec(name)?.[1];
  return slot ? m.nodeInSlot(Number(slot)) : null;
}

/** The fault registry wired to the dashboard's model, books, bridge and runtime. */
export function createFaultRegistry(w: FaultWiring): FaultRegistry {
  const m = w.model;
  const dir = {
    resolve: (name: string) => resolveNode(m, name),
    isUp: (n: string) => m.isUp(n),
    upNodes: () => m.upNodes(),
    short: (n: string) => m.short(n),
  };
  return new FaultRegistry({
    dir,
    applier: createApplier({ kind: w.kind, request: w.request, kill: w.kill, freeze: w.freeze, upNodes: dir.upNodes, networkCut: w.networkCut }),
    judge: (which, reason) => w.books.judge((p) => which(p.from, p.to), reason),
    remesh: w.remesh,
    tickMs: w.tickMs,
    record: (text, node) => m.emit("event", { at: Date.now(), kind: "fault", text, ...(node ? { node } : {}) }),
  });
}
