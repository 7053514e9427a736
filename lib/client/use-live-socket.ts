"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/types";
import { setConnection } from "./connection";
import { rememberSlots } from "./format";
import { pushEvent } from "./events";
import { messageStore } from "./message-store";
import { keys } from "./queries";
import { clusterSchema, eventSchema, messagesBatchSchema, parseMessages, statsSchema } from "./schemas";
import { pushStats, setNodesUp } from "./stats-history";
import { setTraffic } from "./traffic";

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const RETRY_MS = 3000;
const looksUnauthorized = (msg: string) => /unauthori[sz]ed|forbidden|token|401/i.test(msg);

/** Opens the socket.io connection for live state and feeds the query cache and stores. */
export function useLiveSocket(token: string): void {
  const qc = useQueryClient();

  useEffect(() => {
    const socket: LiveSocket = io({ auth: { token } });
    let retry: ReturnType<typeof setTimeout> | undefined;
    let connectedOnce = false;
    setConnection("connecting");

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

    socket.on("cluster", (raw) => {
      const r = clusterSchema.safeParse(raw);
      if (!r.success) return console.warn("swarmscope: ignored a malformed cluster", r.error.issues[0]);
      rememberSlots(r.data.nodes);
      qc.setQueryData(keys.cluster, r.data);
      setNodesUp(r.data.nodes.filter((n) => n.status === "up").length);
    });
    socket.on("messages", (raw) => {
      const r = messagesBatchSchema.safeParse(raw);
      if (r.success) messageStore.merge(parseMessages(r.data.messages), true, r.data.dropped);
    });
    socket.on("stats", (raw) => {
      const r = statsSchema.safeParse(raw);
      if (!r.success) return;
      qc.setQueryData(keys.stats, r.data);
      pushStats(r.data);
    });
    socket.on("event", (raw) => {
      const r = eventSchema.safeParse(raw);
      if (r.success) pushEvent(r.data);
    });
    socket.on("traffic", setTraffic);

    return () => {
      clearTimeout(retry);
      socket.removeAllListeners();
      socket.disconnect();
      setConnection("idle");
    };
  }, [token, qc]);
}
