import type { MessageStatus, NodeStatus } from "@/lib/contracts/common";

/** One palette for node and message states, used by the graph, lists and badges. */
export const nodeColor: Record<NodeStatus, string> = {
  starting: "#fbbf24",
  up: "#34d399",
  down: "#f43f5e",
};

export const nodeText: Record<NodeStatus, string> = {
  starting: "text-amber-300",
  up: "text-emerald-300",
  down: "text-rose-400",
};

export const nodeDot: Record<NodeStatus, string> = {
  starting: "bg-amber-400 animate-breathe",
  up: "bg-emerald-400 shadow-[0_0_10px_rgb(52_211_153/0.8)]",
  down: "bg-rose-500",
};

export const messageBadge: Record<MessageStatus, string> = {
  pending: "bg-slate-500/20 text-slate-300 ring-slate-400/30",
  sent: "bg-sky-500/15 text-sky-300 ring-sky-400/40",
  received: "bg-teal-500/15 text-teal-300 ring-teal-400/40",
  acked: "bg-emerald-500/15 text-emerald-300 ring-emerald-400/40",
  lost: "bg-rose-500/20 text-rose-300 ring-rose-400/50",
  failed: "bg-red-600/20 text-red-300 ring-red-500/50",
};
