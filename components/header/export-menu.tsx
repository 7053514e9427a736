"use client";

import { useEffect, useRef, useState } from "react";
import { downloadExport } from "@/lib/client/download";
import type { ExportFormat } from "@/lib/contracts/common";
import { toast } from "@/lib/client/toasts";
import { Spinner } from "../ui/button";
import { Icon } from "../ui/icon";

const items: { format: ExportFormat; label: string; hint: string }[] = [
  { format: "json", label: "JSON", hint: "Everything: cluster, stats, events, every message" },
  { format: "csv", label: "CSV", hint: "One row per message, for a spreadsheet" },
  { format: "report", label: "Evidence report", hint: "One page of Markdown: what was sent, what arrived" },
];

/** Downloads the stored history (proof of delivery) in one of three formats. */
export function ExportMenu() {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const run = async (format: ExportFormat) => {
    setBusy(format);
    try {
      const name = await downloadExport(format);
      toast("success", name, "Export downloaded");
      setOpen(false);
    } catch (err) {
      toast("error", (err as Error).message, "Export failed");
    } finally {
      setBusy(null);
    }
  };

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        data-testid="export-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        title="Download the stored history as proof of delivery"
        className="flex h-11 cursor-pointer items-center justify-center gap-2 rounded-full border border-edge-strong bg-raised px-3.5 text-sm font-semibold text-dim transition-colors hover:border-dim/50 hover:text-ink aria-expanded:border-accent/50 aria-expanded:text-ink max-3xl:w-11 max-3xl:px-0"
      >
        <Icon d="M12 4v11M7.5 10.5 12 15l4.5-4.5M5 19h14" />
        {/* An icon below 2080 px, as Present and Replay: room for the counters. */}
        <span className="max-3xl:sr-only">Export</span>
      </button>
      {open && (
        <div
          role="menu"
          className="absolute top-full right-0 z-50 mt-2 w-72 animate-fade-in overflow-hidden rounded-2xl border border-edge-strong bg-panel p-1.5 shadow-[0_18px_48px_-12px_rgb(0_0_0/0.75)]"
        >
          {items.map((it) => (
            <button
              key={it.format}
              type="button"
              role="menuitem"
              data-testid={`export-${it.format}`}
              disabled={busy !== null}
              aria-busy={busy === it.format || undefined}
              onClick={() => void run(it.format)}
              className="flex w-full cursor-pointer items-start gap-3 rounded-xl px-3 py-2.5 text-left transition-colors hover:bg-raised disabled:cursor-wait disabled:opacity-60"
            >
              <span className="mt-0.5 grid size-4 shrink-0 place-items-center text-accent">{busy === it.format ? <Spinner /> : "↓"}</span>
              <span className="min-w-0">
                <span className="block text-sm font-semibold text-ink">{it.label}</span>
                <span className="block text-xs text-faint">{it.hint}</span>
              </span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
