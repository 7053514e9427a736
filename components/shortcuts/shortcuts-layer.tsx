"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { setUi } from "@/lib/client/ui-state";
import { useConfirmRequest } from "@/lib/client/confirm";
import { useCanControl } from "@/lib/client/token";
import { useActions } from "../shell/use-actions";
import { allowedShortcuts, isTyping } from "./shortcuts";
import { ShortcutsOverlay } from "./shortcuts-overlay";

/** Listens for the shortcuts on the whole page; `?` shows them, Esc closes or clears the selection. */
export function ShortcutsLayer() {
  const actions = useActions();
  const [open, setOpen] = useState(false);
  const confirming = useConfirmRequest() !== null;
  // A viewer (audience link) or a replay: the keys that act on the cluster do nothing.
  const canControl = useCanControl();
  const ref = useRef({ actions, open, confirming, canControl });
  useEffect(() => {
    ref.current = { actions, open, confirming, canControl };
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { actions: a, open: shown, confirming: asking, canControl: may } = ref.current;
      if (asking || isTyping(e) || e.repeat) return;
      if (e.key === "?") {
        e.preventDefault();
        setOpen((v) => !v);
        return;
      }
      if (e.key === "Escape") {
        if (shown) setOpen(false);
        else setUi({ selected: null });
        return;
      }
      const s = allowedShortcuts(may).find((x) => x.keys.includes(e.key.toLowerCase()));
      if (!s) return;
      e.preventDefault();
      setOpen(false);
      void s.run(a);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const onOpen = () => setOpen(true);
    window.addEventListener("swarmscope:shortcuts", onOpen);
    return () => window.removeEventListener("swarmscope:shortcuts", onOpen);
  }, []);

  const close = useCallback(() => setOpen(false), []);
  return open ? <ShortcutsOverlay onClose={close} canControl={canControl} /> : null;
}

/** For the `?` buttons: opens the overlay without a key press. */
export function openShortcuts(): void {
  window.dispatchEvent(new Event("swarmscope:shortcuts"));
}
