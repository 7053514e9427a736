"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { useCluster, useEventHistory, useMessageHistory, useSeriesHistory } from "@/lib/client/queries";
import { useReplaying } from "@/lib/client/replay/mode";
import { bindReplay, stopReplay } from "@/lib/client/replay/player";
import { setNodesUp } from "@/lib/client/stats-history";
import { settleToasts } from "@/lib/client/toasts";
import { loadToken, useToken } from "@/lib/client/token";
import { useLiveSocket } from "@/lib/client/use-live-socket";
import { TokenGate } from "../auth/token-gate";
import { ShortcutsLayer } from "../shortcuts/shortcuts-layer";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Toaster } from "../ui/toaster";

/**
 * Around every live view (the dashboard, the presenter view): asks for the access token if there
 * is none, else keeps one live connection, the histories and the keyboard shortcuts for whichever
 * view is shown, so switching views (F) neither reconnects nor loses the charts.
 */
export function LiveShell({ children }: { children: ReactNode }) {
  const { token, problem } = useToken();
  useEffect(() => loadToken(), []);
  if (token === undefined) return <div className="min-h-dvh bg-canvas" aria-busy />;
  if (!token)
    return (
      <>
        <TokenGate problem={problem} />
        <Toaster />
      </>
    );
  return (
    <LiveSession key={token} token={token}>
      {children}
    </LiveSession>
  );
}

function LiveSession({ token, children }: { token: string; children: ReactNode }) {
  const qc = useQueryClient();
  useEffect(() => {
    bindReplay(qc);
    return () => stopReplay(); // a new token (or leaving the page) starts live
  }, [qc]);
  // In a replay the socket is closed: the replay player feeds the same stores.
  useLiveSocket(token, !useReplaying());
  useMessageHistory();
  useEventHistory();
  useSeriesHistory();
  const cluster = useCluster().data;
  const up = cluster?.nodes.filter((n) => n.status === "up").length ?? 0;
  useEffect(() => settleToasts(cluster), [cluster]);
  useEffect(() => setNodesUp(up), [up]);
  return (
    <>
      {children}
      <ShortcutsLayer />
      <ConfirmDialog />
    </>
  );
}
