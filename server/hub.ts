import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { TrafficRunDTO } from "../lib/contracts/http-replies";
import type { ClientToServerEvents, ServerToClientEvents } from "../lib/contracts/socket";
import type { Swarmscope } from "./app";
import { tokenMatches } from "./auth";

export interface HubOptions {
  /** Under load, how often changed messages are pushed (ms); a quiet stream is pushed at once. */
  messageFlushMs?: number;
  statsMs?: number;
}

/**
 * Live state to browsers over socket.io. Messages are pushed at once when few change, batched
 * every `messageFlushMs` under load (capped per batch; the count left out is sent along); the
 * cluster when it changed; stats a few times a second; the traffic run's progress as it moves.
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
    const traffic = app.traffic;
    if (traffic) socket.emit("traffic", traffic);
  });

  // Pushed as soon as something changed. While the stream is quiet the next push may follow
  // 1 ms later (a message's "sent" and "received" come ~1 ms apart and both show at once); once
  // a push carries many messages, pushes are `busyGap` ms apart: 10k messages/s become ~50
  // frames/s of at most 100 messages each, plus the count left out.
  const busyGap = opts.messageFlushMs ?? 20;
  let gap = 1;
  let clusterDirty = false;
  let lastPush = 0;
  let pushTimer: NodeJS.Timeout | null = null;
  const push = () => {
    pushTimer = null;
    lastPush = Date.now();
    const batch = app.books.drainChanged(100);
    gap = batch.messages.length + batch.dropped > 20 ? busyGap : 1;
    if (batch.messages.length > 0 || batch.dropped > 0 || batch.runs) io.emit("messages", batch);
    if (clusterDirty) {
      clusterDirty = false;
      io.emit("cluster", app.cluster());
    }
  };
  const schedule = () => {
    if (pushTimer) return;
    pushTimer = setTimeout(push, Math.max(0, lastPush + gap - Date.now()));
  };
  app.books.onChange = schedule;
  app.model.on("change", () => {
    clusterDirty = true;
    schedule();
  });
  app.model.on("event", (e) => io.emit("event", e));
  // Already throttled by the traffic runs: a few a second while a run goes, one when it ends.
  const onTraffic = (t: TrafficRunDTO) => io.emit("traffic", t);
  app.trafficRuns.on("progress", onTraffic);

  const timers = [
    setInterval(() => io.emit("stats", app.stats()), opts.statsMs ?? 500),
    // Flags such as "node never joined" depend on time passing, not only on changes.
    setInterval(() => io.emit("cluster", app.cluster()), 5000),
  ];

  return {
    io,
    close: async () => {
      for (const t of timers) clearInterval(t);
      if (pushTimer) clearTimeout(pushTimer);
      app.books.onChange = undefined;
      app.trafficRuns.off("progress", onTraffic);
      await io.close();
    },
  };
}
