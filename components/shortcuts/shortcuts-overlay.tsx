"use client";

import { Modal } from "../ui/modal";
import { allowedShortcuts } from "./shortcuts";

/** Every shortcut, behind `?`. */
export function ShortcutsOverlay({ onClose, canControl }: { onClose: () => void; canControl: boolean }) {
  const rows = [...allowedShortcuts(canControl).map((s) => ({ key: s.label, does: s.does })), { key: "?", does: "Show / hide this list" }, { key: "Esc", does: "Close a dialog, clear the selection" }];
  return (
    <Modal onClose={onClose} labelledBy="shortcuts-title" testId="shortcuts-overlay" className="max-w-xl p-7">
      <div className="mb-5 flex items-baseline justify-between gap-4">
        <h2 id="shortcuts-title" className="text-2xl font-bold">
          Keyboard shortcuts
        </h2>
        <button type="button" onClick={onClose} data-autofocus className="cursor-pointer rounded-lg px-2 text-dim hover:text-ink" aria-label="Close">
          Esc
        </button>
      </div>
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-5 gap-y-3">
        {rows.map((r) => (
          <div key={r.key} className="contents">
            <dt>
              <kbd className="inline-grid h-10 min-w-10 place-items-center rounded-lg border border-edge-strong border-b-4 bg-raised px-2.5 font-mono text-lg font-bold text-ink">
                {r.key}
              </kbd>
            </dt>
            <dd className="text-lg text-ink/90">{r.does}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
