"use client";

import { memo } from "react";
import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { latency, rate } from "@/lib/client/format";
import { useStatsHistory, type StatsPoint } from "@/lib/client/stats-history";
import { Panel } from "../ui/panel";
import { axisTick, gridStroke, timeAxis, tooltipStyle } from "./chart-theme";
import { BigValue, ChartRow } from "./chart-row";

/** Throughput, latency percentiles and nodes up over the last five minutes. */
export function ChartsPanel() {
  const points = useStatsHistory();
  const last = points[points.length - 1];
  const end = last?.t ?? 0;
  return (
    <Panel title="Live charts" meta="last 5 minutes" testId="charts" className="h-full" bodyClassName="flex flex-col">
      {points.length < 2 ? (
        <div className="flex h-full items-center justify-center text-dim">Waiting for live stats…</div>
      ) : (
        <>
          <ChartRow
            title="Messages / s"
            testId="chart-throughput"
            values={
              <>
                <BigValue value={rate(last!.sentRate)} unit="sent" className="text-sky-300" />
                <BigValue value={rate(last!.receivedRate)} unit="recv" className="text-teal-300" />
              </>
            }
          >
            <Throughput points={points} end={end} />
          </ChartRow>
          <ChartRow
            title="Latency"
            testId="chart-latency"
            values={
              <>
                <BigValue value={latency(last!.p95)} unit="p95" className="text-amber-200" />
                <div className="hidden text-sm leading-snug whitespace-nowrap text-dim tabular-nums tall:block">
                  <div>
                    <span className="text-teal-300">p50</span> {latency(last!.p50)}
                  </div>
                  <div>
                    <span className="text-pink-300">p99</span> {latency(last!.p99)}
                  </div>
                </div>
              </>
            }
          >
            <Latency points={points} end={end} />
          </ChartRow>
          <ChartRow title="Nodes up" testId="chart-nodes" values={<BigValue value={String(last!.nodesUp)} unit="up" className="text-emerald-300" />}>
            <NodesUp points={points} end={end} />
          </ChartRow>
        </>
      )}
    </Panel>
  );
}

interface SeriesProps {
  points: StatsPoint[];
  end: number;
}

const Throughput = memo(function Throughput({ points, end }: SeriesProps) {
  return (
    <ResponsiveContainer width="100%" height="100%" minHeight={40}>
      <AreaChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
        <defs>
          <linearGradient id="fill-sent" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="#38bdf8" stopOpacity={0.35} />
            <stop offset="100%" stopColor="#38bdf8" stopOpacity={0} />
          </linearGradient>
        </defs>
        <CartesianGrid stroke={gridStroke} vertical={false} />
        <XAxis {...timeAxis(points[0]!.t, end, false)} />
        <YAxis width={44} tick={axisTick} axisLine={false} tickLine={false} allowDecimals={false} />
        <Tooltip {...tooltipStyle} formatter={(v) => `${rate(Number(v))} /s`} />
        <Area dataKey="sentRate" name="sent" stroke="#38bdf8" strokeWidth={2} fill="url(#fill-sent)" isAnimationActive={false} dot={false} />
        <Area dataKey="receivedRate" name="received" stroke="#2dd4bf" strokeWidth={2} fill="none" isAnimationActive={false} dot={false} />
        <Area dataKey="lostRate" name="lost" stroke="#f43f5e" strokeWidth={1.5} fill="none" isAnimationActive={false} dot={false} />
      </AreaChart>
    </ResponsiveContainer>
  );
});

const Latency = memo(function Latency({ points, end }: SeriesProps) {
  return (
    <ResponsiveContainer width="100%" height="100%" minHeight={40}>
      <LineChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
        <CartesianGrid stroke={gridStroke} vertical={false} />
        <XAxis {...timeAxis(points[0]!.t, end, false)} />
        <YAxis width={44} tick={axisTick} axisLine={false} tickLine={false} tickFormatter={msTick} />
        <Tooltip {...tooltipStyle} formatter={(v) => latency(Number(v))} />
        <Line dataKey="p50" stroke="#2dd4bf" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
        <Line dataKey="p95" stroke="#fbbf24" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
        <Line dataKey="p99" stroke="#f472b6" strokeWidth={1.5} strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls />
      </LineChart>
    </ResponsiveContainer>
  );
});

const NodesUp = memo(function NodesUp({ points, end }: SeriesProps) {
  return (
    <ResponsiveContainer width="100%" height="100%" minHeight={40}>
      <AreaChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
        <CartesianGrid stroke={gridStroke} vertical={false} />
        <XAxis {...timeAxis(points[0]!.t, end, true)} />
        <YAxis width={44} tick={axisTick} axisLine={false} tickLine={false} allowDecimals={false} domain={[0, "dataMax + 1"]} />
        <Tooltip {...tooltipStyle} />
        <Area type="stepAfter" dataKey="nodesUp" name="nodes up" stroke="#34d399" strokeWidth={2} fill="#34d399" fillOpacity={0.15} isAnimationActive={false} dot={false} />
      </AreaChart>
    </ResponsiveContainer>
  );
});

function msTick(v: number): string {
  if (v === 0) return "0";
  if (v < 1) return `${Math.round(v * 1000)}µs`;
  return v < 10 ? v.toFixed(1) : String(Math.round(v));
}
