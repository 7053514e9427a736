import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { TrafficRunDTO } from "../lib/contracts/http-replies";
import type { ClientToServerEvents, ServerToClientEvents } from "../lib/contracts/socket";
import type { Swarmscope } from "./app";
import { type Credentials, roleOf } from "./auth";
import { sameOrigin } from "./origin";

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
export function attachHub(httpServer: HttpServer, app: Swarmscope, creds: Credentials, opts: HubOptions = {}) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    // A browser's handshake from another site (its Origin is not this host) gets a 403; a client
    // with no Origin (a script, a test) goes on to the token check below.
    allowRequest: (req, cb) => cb(null, sameOrigin(req.headers.origin, req.headers.host)),
  });
  // Either token (control or view) opens the socket: it carries live state only, no control.
  // Clients send no events (lib/contracts/socket.ts clientToServer is empty): none is listened to.
  io.use((socket, next) => {
    const role = roleOf((socket.handshake.auth as { token?: unknown } | null | undefined)?.token, creds);
    if (role) {
      socket.data.role = role;
      return next();
    }
    next(new Error("unauthorized: connect with auth.token set to the access token or the view token"));
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
    const batch = app.tracker.drainChanged(100);
    gap = batch.messages.length + batch.dropped > 20 ? busyGap : 1;
    if (batch.messages.length > 0 || batch.dropped > 0) io.emit("messages", batch);
    if (clusterDirty) {
      clusterDirty = false;
      io.emit("cluster", app.cluster());
    }
  };
  const schedule = () => {
    if (pushTimer) return;
    pushTimer = setTimeout(push, Math.max(0, lastPush + gap - Date.now()));
  };
  app.tracker.onChange = schedule;
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
      app.tracker.onChange = undefined;
      app.trafficRuns.off("progress", onTraffic);
      await io.close();
    },
  };
}
