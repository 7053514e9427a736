"use client";

import type { QueryClient } from "@tanstack/react-query";
import type { ClusterDTO, NodeDTO, StatsDTO } from "../../contracts/http-replies";
import type { ReplayReply } from "../../contracts/replay";
import { routes } from "../../contracts/routes";
import { slotOf } from "../../replay-nodes";
import { call } from "../api";
import { eventStore, MAX_EVENTS, pushEvent } from "../events";
import { rememberSlots } from "../format";
import { messageStore } from "../message-store";
import { pairRuns } from "../pair-runs";
import { keys } from "../queries";
import { MAX_POINTS, resetStats, setNodesUp } from "../stats-history";
import { patchReplay, type ReplaySpeed, replayStore, type ReplayWindow, resetReplayState } from "./mode";
import { ReplayModel, type Step } from "./model";

// The replay player: loads a window's pages from GET /api/replay and plays them into the stores
// the live view reads (the query cache's cluster and stats, the message, event and chart stores),
// so the same components show the past. One player per page; `stopReplay` hands back to live.

const TICK_MS = 100;
const PAGE = 2000;
const CLUSTER_MS = 1000;

let qc: QueryClient | null = null;
let model: ReplayModel | null = null;
/** The window's first page's start state: a seek builds the model again from it. */
let origin: { since: number; start: ReplayReply["start"] } | null = null;
let generation = 0;
let timer: ReturnType<typeof setInterval> | null = null;
let lastTick = 0;
let liveCluster: ClusterDTO | undefined;
let shownPoints = -1;
let clusterAt = 0;

/** The query client the player writes to (LiveShell sets it). */
export function bindReplay(client: QueryClient): void {
  qc = client;
}

/** Starts replaying a window: the live socket closes (mode), the stores empty, pages load and play. */
export async function startReplay(win: ReplayWindow): Promise<void> {
  const gen = ++generation;
  liveCluster ??= qc?.getQueryData<ClusterDTO>(keys.cluster);
  stopTimer();
  patchReplay({ mode: "replay", window: win, loading: true, error: null, playing: false, since: 0, until: 0, t: 0, loadedUntil: 0 });
  clearStores();
  try {
    let page = await call(routes.replay, { query: { since: win.since, until: win.until, limit: PAGE } });
    if (gen !== generation) return;
    origin = { since: page.since, start: page.start };
    model = new ReplayModel(page.since, page.start);
    patchReplay({ since: page.since, until: page.until, t: page.since });
    for (let first = true; ; first = false) {
      model.append(page.items);
      patchReplay({ loadedUntil: page.next ?? page.until });
      if (first) seek(page.since, true);
      if (page.next === null) break;
      page = await call(routes.replay, { query: { since: page.since, until: page.until, after: page.next, limit: PAGE } });
      if (gen !== generation) return;
    }
    patchReplay({ loading: false });
  } catch (err) {
    if (gen === generation) patchReplay({ loading: false, playing: false, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Back to live: the replay's state goes, the socket opens again and every query reloads. */
export function stopReplay(): void {
  generation++;
  stopTimer();
  model = null;
  origin = null;
  clearStores();
  resetReplayState();
  liveCluster = undefined;
  void qc?.invalidateQueries();
}

export function play(): void {
  const s = replayStore.get();
  if (s.mode !== "replay" || !model) return;
  if (s.t >= s.until) seek(s.since, false);
  patchReplay({ playing: true });
  lastTick = performance.now();
  timer ??= setInterval(tick, TICK_MS);
}

export function pause(): void {
  stopTimer();
  patchReplay({ playing: false });
}

export function setSpeed(speed: ReplaySpeed): void {
  patchReplay({ speed });
}

/** Jumps to `t`: the state is built again from the window's start, without animation. */
export function seek(t: number, autoplay = replayStore.get().playing): void {
  const s = replayStore.get();
  if (!model || !origin || s.mode !== "replay") return;
  const target = Math.max(s.since, Math.min(t, s.until));
  const items = model.items;
  model = new ReplayModel(origin.since, origin.start);
  model.append(items);
  clearStores();
  const step = model.advance(target);
  for (const e of step.events.slice(-MAX_EVENTS)) pushEvent(e);
  publish(step, false, true);
  patchReplay({ t: target });
  if (autoplay) play();
}

function tick(): void {
  const s = replayStore.get();
  const now = performance.now();
  const dt = (now - lastTick) * s.speed;
  lastTick = now;
  if (!model) return;
  const t = Math.min(s.t + dt, s.loadedUntil, s.until);
  publish(model.advance(t), true, false);
  patchReplay({ t });
  if (t >= s.until) pause();
}

/** Puts a step into the live stores: events, messages, cluster, counters, chart points. */
function publish(step: Step, animate: boolean, force: boolean): void {
  if (!model || !qc) return;
  if (animate) for (const e of step.events) pushEvent(e);
  if (step.messages.length) messageStore.merge(step.messages, animate);
  // The graph follows joins and downs at once, the per-node counts once a second (as live).
  const now = performance.now();
  if (step.nodesChanged || force || now - clusterAt >= CLUSTER_MS) {
    clusterAt = now;
    qc.setQueryData(keys.cluster, clusterOf(model));
  }
  qc.setQueryData(keys.stats, statsOf(model));
  setNodesUp(model.upCount());
  const points = model.chartPoints();
  if (points.length !== shownPoints || force) {
    shownPoints = points.length;
    resetStats(points.slice(-MAX_POINTS));
  }
}

function clusterOf(m: ReplayModel): ClusterDTO {
  const up = [...m.nodes.nodes.values()].filter((n) => n.status === "up").map((n) => n.name);
  const nodes: NodeDTO[] = [...m.nodes.nodes.values()].map((n) => ({
    name: n.name,
    status: n.status,
    host: n.name.split("@")[1] ?? "?",
    slot: slotOf(n.name),
    links: n.status === "up" ? up.filter((x) => x !== n.name) : [],
    ...m.nodeCounts(n.name),
    replica: null,
    flags: [],
    since: n.since,
    ...(n.downReason ? { downReason: n.downReason } : {}),
  }));
  rememberSlots(nodes);
  return {
    runtime: liveCluster?.runtime ?? "local",
    deploymentId: liveCluster?.deploymentId ?? "",
    desiredReplicas: m.nodes.desired,
    nodes,
    strangers: [],
    bridge: { status: m.bridge },
    progress: null,
    runtimeStatus: { ready: true },
    hosts: [],
  };
}

function statsOf(m: ReplayModel): StatsDTO {
  const c = m.countsNow();
  const lat = m.latencyNow();
  return {
    ...c,
    failed: 0,
    perNode: {},
    latencyMs: lat,
    latencyByKind: { "one-way": lat, "half-rtt": { p50: null, p95: null, p99: null } },
    reconciled: { ok: true, pairs: 0, nodes: 0, mismatches: [] },
    store: { ok: true, since: 0, lastError: null, waiting: 0 },
    at: m.time,
  };
}

function clearStores(): void {
  messageStore.reset();
  pairRuns.reset();
  eventStore.set([]);
  resetStats();
}

function stopTimer(): void {
  if (timer) clearInterval(timer);
  timer = null;
}
