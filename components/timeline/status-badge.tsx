import type { MessageStatus } from "@/lib/contracts/common";
import { messageBadge } from "../ui/status";

/** Its color changes at once: a color transition runs on the page's main thread, 18 frames a status change. */
export function StatusBadge({ status }: { status: MessageStatus }) {
  return (
    <span
      className={`inline-flex h-7 min-w-[5.6rem] items-center justify-center gap-1.5 rounded-full px-2.5 text-sm font-semibold ring-1 ring-inset ${messageBadge[status]}`}
    >
      {status === "acked" && <span aria-hidden>✓</span>}
      {(status === "lost" || status === "failed") && <span aria-hidden>✕</span>}
      {status}
    </span>
  );
}
