"use client";

import { memo, startTransition, useDeferredValue, useEffect, useMemo, useState, type ReactNode } from "react";
import { chartWindow, type ChartWindow } from "@/lib/client/chart-window";
import { latency, rate } from "@/lib/client/format";
import { statsHistory, type StatsPoint } from "@/lib/client/stats-history";
import { useStore } from "@/lib/client/store";
import { throttleStore } from "@/lib/client/throttle";
import { Panel } from "../ui/panel";
import { BigValue, ChartRow } from "./chart-row";
import { WINDOW_MS } from "./chart-theme";
import { TimeChart, type TimeChartProps } from "./time-chart";

/** The charts follow the stats (two snapshots a second) at most once a second. */
const CHART_MS = 1000;
const chartHistory = throttleStore(statsHistory, CHART_MS);
const EMPTY: StatsPoint[] = [];

interface RowSpec {
  title: string;
  testId: string;
  /** The headline numbers left of the chart, from the newest point. */
  values: (last: StatsPoint) => ReactNode;
  chart: Omit<TimeChartProps, "points" | "start" | "end">;
}

const THROUGHPUT: RowSpec = {
  title: "Messages / s",
  testId: "chart-throughput",
  values: (last) => (
    <>
      <BigValue value={rate(last.sentRate)} unit="sent" className="text-sky-300" />
      <BigValue value={rate(last.receivedRate)} unit="recv" className="text-teal-300" />
    </>
  ),
  chart: {
    series: [
      { key: "sentRate", name: "sent", color: "#38bdf8", width: 2, fill: "url(#fill-sent)" },
      { key: "receivedRate", name: "received", color: "#2dd4bf", width: 2 },
      { key: "lostRate", name: "lost", color: "#f43f5e", width: 1.5 },
    ],
    integer: true,
    format: (v) => `${rate(v)} /s`,
    defs: (
      <linearGradient id="fill-sent" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0%" stopColor="#38bdf8" stopOpacity={0.35} />
        <stop offset="100%" stopColor="#38bdf8" stopOpacity={0} />
      </linearGradient>
    ),
  },
};

const LATENCY: RowSpec = {
  title: "Latency",
  testId: "chart-latency",
  values: (last) => (
    <>
      <BigValue value={latency(last.p95)} unit="p95" className="text-amber-200" />
      <div className="hidden text-sm leading-snug whitespace-nowrap text-dim tabular-nums tall:block">
        <div>
          <span className="text-teal-300">p50</span> {latency(last.p50)}
        </div>
        <div>
          <span className="text-pink-300">p99</span> {latency(last.p99)}
        </div>
      </div>
    </>
  ),
  chart: {
    series: [
      { key: "p50", name: "p50", color: "#2dd4bf", width: 2 },
      { key: "p95", name: "p95", color: "#fbbf24", width: 2 },
      { key: "p99", name: "p99", color: "#f472b6", width: 1.5, dash: "4 3" },
    ],
    yTick: msTick,
    format: (v) => latency(v),
  },
};

const NODES: RowSpec = {
  title: "Nodes up",
  testId: "chart-nodes",
  values: (last) => <BigValue value={String(last.nodesUp)} unit="up" className="text-emerald-300" />,
  chart: {
    series: [{ key: "nodesUp", name: "nodes up", color: "#34d399", width: 2, fill: "#34d399", fillOpacity: 0.15, step: true }],
    domain: "max+1",
    integer: true,
    showTime: true,
    format: String,
  },
};

/**
 * Throughput, latency percentiles and nodes up over the last five minutes. The three charts take
 * a new window a third of a second apart: three short tasks a second rather than one long one,
 * so a storm's frames keep their pace.
 */
export function ChartsPanel({ className = "h-full" }: { className?: string }) {
  // Deferred (and the later rows set in transitions): a chart's render yields to a message's row.
  const history = useDeferredValue(useStore(chartHistory, EMPTY));
  const win = useMemo(() => chartWindow(history, WINDOW_MS), [history]);
  const second = useLater(win, CHART_MS / 3);
  const third = useLater(win, (2 * CHART_MS) / 3);
  return (
    <Panel title="Live charts" meta="last 5 minutes" testId="charts" className={className} bodyClassName="flex flex-col">
      {win.points.length < 2 ? (
        <div className="flex h-full items-center justify-center text-dim">Waiting for live stats…</div>
      ) : (
        <>
          <Row win={win} spec={THROUGHPUT} />
          {second.points.length >= 2 && <Row win={second} spec={LATENCY} />}
          {third.points.length >= 2 && <Row win={third} spec={NODES} />}
        </>
      )}
    </Panel>
  );
}

/** One metric: its numbers and its chart; renders only when its window changes. */
const Row = memo(function Row({ win: { points, start, end }, spec }: { win: ChartWindow; spec: RowSpec }) {
  return (
    <ChartRow title={spec.title} testId={spec.testId} values={spec.values(points[points.length - 1]!)}>
      <TimeChart points={points} start={start} end={end} {...spec.chart} />
    </ChartRow>
  );
});

/** `value`, `ms` later: each change shows after the delay (the first at once). */
function useLater<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const t = setTimeout(() => startTransition(() => setShown(value)), ms);
    return () => clearTimeout(t);
  }, [value, shown, ms]);
  return shown;
}

function msTick(v: number): string {
  if (v === 0) return "0";
  if (v < 1) return `${Math.round(v * 1000)}µs`;
  return v < 10 ? v.toFixed(1) : String(Math.round(v));
}
