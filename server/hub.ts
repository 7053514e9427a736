import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { ScenarioRunDTO } from "../lib/contracts/fault-replies";
import type { TrafficRunDTO } from "../lib/contracts/http-replies";
import { type ClientToServerEvents, linkSparing, SNAPSHOT_MESSAGES, SNAPSHOT_RUNS, type ServerToClientEvents, type Snapshot } from "../lib/contracts/socket";
import type { Swarmscope } from "./app";
import { type Credentials, roleOf } from "./auth";
import { sameOrigin } from "./origin";
import { pacer } from "./pacer";
import { clockMs, trace } from "./trace";

/** Above this many nodes the cluster view is pushed at most once a second. */
const BIG_CLUSTER = 50;

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
  // Cluster pushes leave out the links that did not change since the last push (a full mesh of
  // 200 nodes: ~1 MB of link names a view, each second, against ~60 KB without).
  const sparing = linkSparing();
  io.on("connection", (socket) => {
    const snapshot: Snapshot = {
      seq: batchSeq,
      cluster: app.cluster(),
      stats: app.stats(),
      traffic: app.traffic,
      messages: app.messages(SNAPSHOT_MESSAGES),
      runs: app.books.recentPairs(SNAPSHOT_RUNS),
    };
    socket.emit("snapshot", snapshot);
    // The same parts as single events, for clients that do not read the snapshot.
    socket.emit("cluster", snapshot.cluster);
    sparing.forget(); // this connection's view is newer than the last push: the next goes whole
    socket.emit("stats", snapshot.stats);
    if (snapshot.traffic) socket.emit("traffic", snapshot.traffic);
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
    const batch = app.books.drainChanged(100);
    if (app.config.trace && batch.messages.length <= 5) {
      trace("push", `changed=${changed.map((t) => t.toFixed(3)).join("..")} ${batch.messages.map((m) => `${m.id}:${m.status}`).join(",")}`);
    }
    busy = batch.messages.length + batch.dropped > 20;
    if (batch.messages.length > 0 || batch.dropped > 0 || batch.runs) io.emit("messages", { ...batch, seq: ++batchSeq });
  });
  // The cluster view grows with nodes and links (200 fully meshed nodes: ~1 MB of JSON, and a
  // mesh forming changes it tens of thousands of times): besides the pacer's rate, the next push
  // waits 20 times what the last one cost, so it never takes more than ~5% of the server, while a
  // small cluster's change still goes out at once.
  // And a cluster of more than BIG_CLUSTER nodes goes at most once a second: each view costs the
  // page a check against the contract, a layout and a redraw of every node (200 nodes meshing:
  // 7 % of the page's main thread went to checking views alone; scripts/profile-page.mts).
  let clusterGap = 0;
  const cluster = pacer(4, 100, () => clusterGap, () => {
    const t0 = performance.now();
    const view = app.cluster();
    io.emit("cluster", sparing.push(view));
    clusterGap = Math.max(view.nodes.length > BIG_CLUSTER ? 1000 : 0, Math.min(1000, 20 * (performance.now() - t0)));
  });
  app.books.onChange = () => {
    if (app.config.trace) changed = messages.pending() ? [changed[0]!, clockMs()] : [clockMs(), clockMs()];
    messages.schedule();
  };
  app.model.on("change", cluster.schedule);
  app.model.on("event", (e) => io.emit("event", e));
  // Already throttled by the traffic runs: a few a second while a run goes, one when it ends.
  const onTraffic = (t: TrafficRunDTO) => io.emit("traffic", t);
  app.trafficRuns.on("progress", onTraffic);
  const onScenario = (r: ScenarioRunDTO) => io.emit("scenario", r);
  app.scenarios.on("change", onScenario);

  const timers = [
    setInterval(() => io.emit("stats", app.stats()), opts.statsMs ?? 500),
    // Flags such as "node never joined" depend on time passing, not only on changes.
    setInterval(cluster.schedule, 5000),
  ];

  return {
    io,
    close: async () => {
      for (const t of timers) clearInterval(t);
      messages.cancel();
      cluster.cancel();
      app.books.onChange = undefined;
      app.trafficRuns.off("progress", onTraffic);
      app.scenarios.off("change", onScenario);
      await io.close();
    },
  };
}

