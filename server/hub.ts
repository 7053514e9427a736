import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { TrafficRunDTO } from "../lib/contracts/http-replies";
import { type ClientToServerEvents, SNAPSHOT_MESSAGES, type ServerToClientEvents, type Snapshot } from "../lib/contracts/socket";
import type { Swarmscope } from "./app";
import { type Credentials, roleOf } from "./auth";
import { sameOrigin } from "./origin";

export interface HubOptions {
  /** Under load, how often changed messages are pushed (ms); a quiet stream is pushed at once. */
  messageFlushMs?: number;
  statsMs?: number;
}

/**
 * Live state to browsers over socket.io: a snapshot first on every connection, then messages
 * pushed at once when few change, batched every `messageFlushMs` under load (capped per batch;
 * the count left out is sent along); the cluster when it changed (throttled by its cost); stats
 * a few times a second; the traffic run's progress as it moves.
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
  // Every messages batch is numbered. A connection's snapshot is taken synchronously here, after
  // the store has every change so far (app.messages flushes it), and the socket already gets the
  // broadcasts that follow: snapshot + later events = the whole stream, whenever it (re)connects.
  let batchSeq = 0;
  io.on("connection", (socket) => {
    const snapshot: Snapshot = {
      seq: batchSeq,
      cluster: app.cluster(),
      stats: app.stats(),
      traffic: app.traffic,
      messages: app.messages(SNAPSHOT_MESSAGES),
    };
    socket.emit("snapshot", snapshot);
    // The same parts as single events, for clients that do not read the snapshot.
    socket.emit("cluster", snapshot.cluster);
    socket.emit("stats", snapshot.stats);
    if (snapshot.traffic) socket.emit("traffic", snapshot.traffic);
  });

  // Pushed as soon as something changed. While the stream is quiet the next push may follow
  // 1 ms later (a message's "sent" and "received" come ~1 ms apart and both show at once); once
  // a push carries many messages, pushes are `busyGap` ms apart: 10k messages/s become ~50
  // frames/s of at most 100 messages each, plus the count left out.
  const busyGap = opts.messageFlushMs ?? 20;
  let gap = 1;
  let lastPush = 0;
  let pushTimer: NodeJS.Timeout | null = null;
  const push = () => {
    pushTimer = null;
    lastPush = Date.now();
    const batch = app.tracker.drainChanged(100);
    gap = batch.messages.length + batch.dropped > 20 ? busyGap : 1;
    if (batch.messages.length > 0 || batch.dropped > 0) io.emit("messages", { ...batch, seq: ++batchSeq });
  };
  const schedule = () => {
    if (pushTimer) return;
    pushTimer = setTimeout(push, Math.max(0, lastPush + gap - Date.now()));
  };
  app.tracker.onChange = schedule;

  // The cluster view grows with nodes and links (200 fully meshed nodes: ~1 MB of JSON, and a
  // mesh forming changes it tens of thousands of times): the next push waits 20 times what the
  // last one cost, so it never takes more than ~5% of the server, while a small cluster's change
  // still goes out within a millisecond or two.
  let clusterTimer: NodeJS.Timeout | null = null;
  let clusterNotBefore = 0;
  const pushCluster = () => {
    clusterTimer = null;
    const t0 = performance.now();
    io.emit("cluster", app.cluster());
    clusterNotBefore = Date.now() + Math.min(1000, 20 * (performance.now() - t0));
  };
  const scheduleCluster = () => {
    clusterTimer ??= setTimeout(pushCluster, Math.max(0, clusterNotBefore - Date.now()));
  };
  app.model.on("change", scheduleCluster);
  app.model.on("event", (e) => io.emit("event", e));
  // Already throttled by the traffic runs: a few a second while a run goes, one when it ends.
  const onTraffic = (t: TrafficRunDTO) => io.emit("traffic", t);
  app.trafficRuns.on("progress", onTraffic);

  const timers = [
    setInterval(() => io.emit("stats", app.stats()), opts.statsMs ?? 500),
    // Flags such as "node never joined" depend on time passing, not only on changes.
    setInterval(scheduleCluster, 5000),
  ];

  return {
    io,
    close: async () => {
      for (const t of timers) clearInterval(t);
      if (pushTimer) clearTimeout(pushTimer);
      if (clusterTimer) clearTimeout(clusterTimer);
      app.tracker.onChange = undefined;
      app.trafficRuns.off("progress", onTraffic);
      await io.close();
    },
  };
}
