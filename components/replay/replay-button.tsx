"use client";

import { useState } from "react";
import { useReplaying } from "@/lib/client/replay/mode";
import { Icon } from "../ui/icon";
import { ReplayPicker } from "./replay-picker";

/** "Replay" in the dashboard's header and the presenter view's: opens the window picker (hidden while replaying: the bar has Live). */
export function ReplayButton({ className = "", compact = false }: { className?: string; compact?: boolean }) {
  const [open, setOpen] = useState(false);
  const replaying = useReplaying();
  if (replaying && !open) return null;
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        data-testid="replay-button"
        title="Replay a stored window: the last run, the last minutes, a deployment"
        className={`flex cursor-pointer items-center justify-center gap-2 rounded-full border border-violet-400/40 bg-violet-400/10 px-3.5 font-semibold text-violet-200 transition-colors hover:bg-violet-400/20 ${className}`}
      >
        <Icon d="M3 12a9 9 0 1 0 3-6.7M3 4v5h5M12 8v4l3 2" />
        <span className={compact ? "max-3xl:sr-only" : ""}>Replay</span>
      </button>
      {open && <ReplayPicker onClose={() => setOpen(false)} />}
    </>
  );
}
