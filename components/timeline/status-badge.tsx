import type { MessageStatus } from "@/lib/contracts/common";
import { messageBadge } from "../ui/status";

export function StatusBadge({ status }: { status: MessageStatus }) {
  return (
    <span
      className={`inline-flex h-7 min-w-[5.6rem] items-center justify-center gap-1.5 rounded-full px-2.5 text-sm font-semibold ring-1 transition-colors duration-300 ring-inset ${messageBadge[status]}`}
    >
      {status === "acked" && <span aria-hidden>✓</span>}
      {(status === "lost" || status === "failed") && <span aria-hidden>✕</span>}
      {status}
    </span>
  );
}
