"use client";

import { useMemo } from "react";
import { useCluster } from "@/lib/client/queries";
import type { NodeDTO } from "@/lib/contracts/http-replies";

const EMPTY: NodeDTO[] = [];

export const bySlot = (a: NodeDTO, b: NodeDTO) =>
  (a.slot ?? Number.MAX_SAFE_INTEGER) - (b.slot ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name, undefined, { numeric: true });

/** The cluster's nodes in slot order (n1, n2, …), the same array while the cluster is the same. */
export function useSortedNodes(): NodeDTO[] {
  const cluster = useCluster().data;
  return useMemo(() => (cluster ? [...cluster.nodes].sort(bySlot) : EMPTY), [cluster]);
}
