import type { ReactNode } from "react";
import { LiveShell } from "@/components/shell/live-shell";

/** The dashboard and the presenter view share one live connection: switching (F) keeps it. */
export default function LiveLayout({ children }: { children: ReactNode }) {
  return <LiveShell>{children}</LiveShell>;
}
