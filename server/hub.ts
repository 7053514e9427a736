import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { TrafficRunDTO } from "../lib/contracts/http-replies";
import type { ClientToServerEvents, ServerToClientEvents } from "../lib/contracts/socket";
import type { Swarmscope } from "./app";
import { tokenMatches } from "./auth";
import { pacer } from "./pacer";
import { clockMs, trace } from "./trace";

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

  // Pushed as soon as something changed, at the end of the event loop's turn that learnt it
  // (setImmediate: what came in together goes out together, with no timer's 1 ms floor): a lone
  // message's pending, sent, received and acked each at once, up to 8 pushes in a row, then one
  // per 4 ms; once a push carries many messages, pushes are `busyGap` ms apart: 10k messages/s
  // become ~50 frames/s of at most 100 messages each, plus the count left out. The cluster (a kill:
  // its node down) at once too, up to 4 in a row, then at most 10 a second while it churns (a
  // deploy of 200 nodes changes links thousands of times, and each view of them is large).
  const busyGap = opts.messageFlushMs ?? 20;
  let busy = false;
  let changed = [0, 0]; // SWARMSCOPE_TRACE only: the first and the last change this push carries
  const messages = pacer(8, 4, () => (busy ? busyGap : 0), () => {
    const batch = app.tracker.drainChanged(100);
    if (app.config.trace && batch.messages.length <= 5) {
      trace("push", `changed=${changed.map((t) => t.toFixed(3)).join("..")} ${batch.messages.map((m) => `${m.id}:${m.status}`).join(",")}`);
    }
    busy = batch.messages.length + batch.dropped > 20;
    if (batch.messages.length > 0 || batch.dropped > 0) io.emit("messages", batch);
  });
  const cluster = pacer(4, 100, () => 0, () => io.emit("cluster", app.cluster()));
  app.tracker.onChange = () => {
    if (app.config.trace) changed = messages.pending() ? [changed[0]!, clockMs()] : [clockMs(), clockMs()];
    messages.schedule();
  };
  app.model.on("change", cluster.schedule);
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
      messages.cancel();
      cluster.cancel();
      app.tracker.onChange = undefined;
      app.trafficRuns.off("progress", onTraffic);
      await io.close();
    },
  };
}

