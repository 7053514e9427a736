"use client";

import { dismissToast, useToasts, type ToastKind } from "@/lib/client/toasts";

const styles: Record<ToastKind, string> = {
  error: "border-rose-500/50 bg-[#2a0f17]/95 text-rose-100",
  success: "border-emerald-400/40 bg-[#0b2320]/95 text-emerald-100",
  info: "border-sky-400/40 bg-[#0c1b2e]/95 text-sky-100",
};

const icons: Record<ToastKind, string> = { error: "!", success: "✓", info: "i" };

/**
 * Errors and confirmations. Each view places them (`className`) where they cover no graph: the
 * dashboard over its event log, the presenter view over the timeline's foot; top centre elsewhere.
 */
export function Toaster({ className = "fixed inset-x-0 top-24 items-center" }: { className?: string }) {
  const toasts = useToasts();
  return (
    <div className={`pointer-events-none z-50 flex flex-col gap-2 ${className}`} aria-live="polite" data-testid="toaster">
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.kind === "error" ? "alert" : "status"}
          data-testid={`toast-${t.kind}`}
          className={`pointer-events-auto flex max-w-[min(44rem,100%)] animate-toast-in items-start gap-3 rounded-xl border px-4 py-3 shadow-2xl backdrop-blur ${styles[t.kind]}`}
        >
          <span className="mt-0.5 grid size-6 shrink-0 place-items-center rounded-full bg-white/10 text-sm font-bold">
            {icons[t.kind]}
          </span>
          <div className="min-w-0">
            {t.title && <div className="text-sm font-semibold opacity-80">{t.title}</div>}
            <div className="text-base break-words">{t.text}</div>
          </div>
          <button
            type="button"
            onClick={() => dismissToast(t.id)}
            className="ml-2 cursor-pointer rounded px-1 text-lg leading-none opacity-60 hover:opacity-100"
            aria-label="Dismiss"
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
