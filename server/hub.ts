import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents } from "../lib/types";
import type { Swarmscope } from "./app";
import { tokenMatches } from "./auth";

export interface HubOptions {
  /** How often changed messages are pushed (ms). Short, so a reception shows at once. */
  messageFlushMs?: number;
  statsMs?: number;
}

/**
 * Live state to browsers over socket.io. Changes are batched: messages at most every
 * `messageFlushMs` (capped per batch; the count left out is sent along), the cluster when it
 * changed, stats a few times a second. Never one frame per message.
 */
export function attachHub(httpServer: HttpServer, app: Swarmscope, token: string, opts: HubOptions = {}) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });
  io.use((socket, next) => {
    const given = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof given === "string" && tokenMatches(given, token)) return next();
    next(new Error("unauthorized: connect with auth.token set to the access token"));
  });
  io.on("connection", (socket) => {
    socket.emit("cluster", app.cluster());
    socket.emit("stats", app.stats());
  });

  let clusterDirty = false;
  app.model.on("change", () => (clusterDirty = true));
  app.model.on("event", (e) => io.emit("event", e));

  const timers = [
    setInterval(() => {
      const batch = app.tracker.drainChanged(100);
      if (batch.messages.length > 0 || batch.dropped > 0) io.emit("messages", batch);
      if (clusterDirty) {
        clusterDirty = false;
        io.emit("cluster", app.cluster());
      }
    }, opts.messageFlushMs ?? 20),
    setInterval(() => io.emit("stats", app.stats()), opts.statsMs ?? 500),
    // Flags such as "node never joined" depend on time passing, not only on changes.
    setInterval(() => io.emit("cluster", app.cluster()), 5000),
  ];

  return {
    io,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await io.close();
    },
  };
}
