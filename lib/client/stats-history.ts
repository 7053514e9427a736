"use client";

import type { SeriesDTO, SeriesPointDTO, StatsDTO } from "../contracts/http-replies";
import { createStore } from "./store";

export const MAX_POINTS = 600;
/** Rates are measured against the snapshot about this long ago, to smooth batch jitter. */
const RATE_WINDOW_MS = 1000;

export interface StatsPoint {
  t: number;
  sentRate: number;
  receivedRate: number;
  lostRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  nodesUp: number;
}

interface Raw {
  at: number;
  sent: number;
  received: number;
  lost: number;
}

const recent: Raw[] = [];
let nodesUp = 0;

export const statsHistory = createStore<StatsPoint[]>([]);

export function setNodesUp(n: number): void {
  nodesUp = n;
}

/**
 * Adds one stats snapshot; derives per-second rates from successive snapshots client-side. A
 * snapshot with nothing before it to measure against adds a point only to an empty history (a
 * zero there would be a false dip after the stored series), and never one older than the last.
 */
export function pushStats(s: StatsDTO): void {
  const raw: Raw = { at: s.at, sent: s.sent, received: s.received, lost: s.lost };
  const last = recent[recent.length - 1];
  if (last && (raw.at <= last.at || raw.sent < last.sent)) {
    if (raw.at <= last.at && raw.sent >= last.sent) return; // duplicate snapshot
    recent.length = 0; // counters went backwards: another server, or its history was removed
  }
  recent.push(raw);
  while (recent.length > 2 && raw.at - recent[1]!.at >= RATE_WINDOW_MS) recent.shift();
  const shown = statsHistory.get();
  if (recent.length === 1 && shown.length > 0) return;
  if (raw.at <= (shown[shown.length - 1]?.t ?? -Infinity)) return;
  const base = recent[0]!;
  const dt = (raw.at - base.at) / 1000;
  const rate = (a: number, b: number) => (dt > 0 ? Math.max(0, (a - b) / dt) : 0);
  const point: StatsPoint = {
    t: raw.at,
    sentRate: rate(raw.sent, base.sent),
    receivedRate: rate(raw.received, base.received),
    lostRate: rate(raw.lost, base.lost),
    p50: s.latencyMs.p50,
    p95: s.latencyMs.p95,
    p99: s.latencyMs.p99,
    nodesUp,
  };
  statsHistory.set((prev) => {
    const next = prev.length >= MAX_POINTS ? prev.slice(prev.length - MAX_POINTS + 1) : prev.slice();
    next.push(point);
    return next;
  });
}

/** Forgets the snapshots and the points (a replay starts, or ends); the charts empty at once. */
export function resetStats(points: StatsPoint[] = []): void {
  recent.length = 0;
  statsHistory.set(points.length > MAX_POINTS ? points.slice(points.length - MAX_POINTS) : points);
}

/**
 * Seeds the charts with the stored series (GET /api/series, one point per bucket at its end):
 * it replaces everything up to the series' end, and the live points after it stay, so a page
 * load, a reconnect or a server restart shows the earlier traffic without a duplicate at the seam.
 */
export function seedHistory(series: SeriesDTO): void {
  const seeded = series.points.map(fromSeries);
  statsHistory.set((prev) => {
    const next = [...seeded, ...prev.filter((p) => p.t > series.until)];
    return next.length > MAX_POINTS ? next.slice(next.length - MAX_POINTS) : next;
  });
}

function fromSeries(p: SeriesPointDTO): StatsPoint {
  return {
    t: p.t + p.durationMs,
    sentRate: p.sentPerS,
    receivedRate: p.receivedPerS,
    lostRate: p.lostPerS,
    p50: p.p50,
    p95: p.p95,
    p99: p.p99,
    nodesUp: p.nodesUp,
  };
}
