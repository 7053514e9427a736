"use client";

import { dismissToast, useToasts, type ToastKind } from "@/lib/client/toasts";

const styles: Record<ToastKind, string> = {
  error: "border-rose-500/50 bg-[#2a0f17]/95 text-rose-100",
  success: "border-emerald-400/40 bg-[#0b2320]/95 text-emerald-100",
  info: "border-sky-400/40 bg-[#0c1b2e]/95 text-sky-100",
};

const icons: Record<ToastKind, string> = { error: "!", success: "✓", info: "i" };

/** Errors and confirmations, top centre, above everything. */
export function Toaster() {
  const toasts = useToasts();
  return (
    <div className="pointer-events-none fixed inset-x-0 top-24 z-50 flex flex-col items-center gap-2" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.kind === "error" ? "alert" : "status"}
          data-testid={`toast-${t.kind}`}
          className={`pointer-events-auto flex max-w-[44rem] animate-toast-in items-start gap-3 rounded-xl border px-4 py-3 shadow-2xl backdrop-blur ${styles[t.kind]}`}
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
