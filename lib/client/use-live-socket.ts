"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { io, type Socket } from "socket.io-client";
import { messageSchema } from "../contracts/http-replies";
import type { ClusterDTO } from "../contracts/http-replies";
import { type ClientToServerEvents, liveCluster, type MessagesBatch, type ServerEventName, type ServerToClientEvents, serverToClient } from "../contracts/socket";
import { setConnection } from "./connection";
import { checkedEvent } from "./contract-check";
import { rememberSlots } from "./format";
import { pushEvent } from "./events";
import { messageStore } from "./message-store";
import { pairRuns } from "./pair-runs";
import { keys } from "./queries";
import { pushStats, setNodesUp } from "./stats-history";
import { setTraffic } from "./traffic";

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Payload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

const RETRY_MS = 3000;
const looksUnauthorized = (msg: string) => /unauthori[sz]ed|forbidden|token|401/i.test(msg);

/**
 * A batch that fails its schema is reported like any other event, and then its valid messages
 * are still shown: a batch carries up to a hundred unrelated messages, and dropping them all for
 * one bad entry would make the timeline lie about those that are fine.
 */
function salvageBatch(raw: unknown): MessagesBatch {
  const r = raw as { messages?: unknown; dropped?: unknown; runs?: MessagesBatch["runs"] } | null;
  const list = Array.isArray(r?.messages) ? r.messages : [];
  const messages = list.flatMap((m) => {
    const p = messageSchema.safeParse(m);
    return p.success ? [p.data] : [];
  });
  return { messages, dropped: (typeof r?.dropped === "number" ? r.dropped : 0) + list.length - messages.length };
}

/** Opens the socket.io connection for live state and feeds the query cache and stores (while `enabled`: off during a replay). */
export function useLiveSocket(token: string, enabled = true): void {
  const qc = useQueryClient();

  useEffect(() => {
    if (!enabled) return;
    const socket: LiveSocket = io({ auth: { token } });
    let retry: ReturnType<typeof setTimeout> | undefined;
    let connectedOnce = false;
    setConnection("connecting");

    // Every payload is checked against its schema in lib/contracts/socket.ts before use.
    const on = <E extends ServerEventName>(event: E, use: (payload: Payload<E>) => void, fallback?: (raw: unknown) => Payload<E>) => {
      const listener = (raw: unknown) => {
        const data = checkedEvent(serverToClient[event], raw, event) as Payload<E> | undefined;
        if (data !== undefined) use(data);
        else if (fallback) use(fallback(raw));
      };
      // The payload type is what the listener checks; socket.io cannot know it before the check.
      socket.on(event, listener as never);
    };

    socket.on("connect", () => {
      setConnection("connected");
      if (connectedOnce) void qc.invalidateQueries(); // fill what was missed while away
      connectedOnce = true;
    });
    socket.on("disconnect", (reason) => setConnection("disconnected", reason));
    socket.on("connect_error", (err) => {
      setConnection(looksUnauthorized(err.message) ? "unauthorized" : "disconnected", err.message);
      // A middleware refusal is not retried by socket.io itself.
      if (!socket.active) retry = setTimeout(() => socket.connect(), RETRY_MS);
    });

    on("cluster", (push) => {
      // Links left out are those of the view before: the same arrays, so the graph sees them unchanged.
      const c = liveCluster(push, qc.getQueryData<ClusterDTO>(keys.cluster));
      rememberSlots(c.nodes);
      qc.setQueryData(keys.cluster, c);
      setNodesUp(c.nodes.filter((n) => n.status === "up").length);
    });
    // The pairs' books as they stand: the runs strip is full at once, not after the next batch.
    on("snapshot", (snap) => pairRuns.merge([...snap.runs].reverse())); // merge puts the last it gets first
    on("messages", (b) => {
      messageStore.merge(b.messages, true, b.dropped);
      pairRuns.merge(b.runs);
    }, salvageBatch);
    on("stats", (s) => {
      qc.setQueryData(keys.stats, s);
      pushStats(s);
    });
    on("event", pushEvent);
    on("traffic", setTraffic);

    return () => {
      clearTimeout(retry);
      socket.removeAllListeners();
      socket.disconnect();
      setConnection("idle");
    };
  }, [token, qc, enabled]);
}
