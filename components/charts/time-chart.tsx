"use client";

import { memo, useMemo, useRef } from "react";
import { Area, CartesianGrid, ComposedChart, Tooltip, XAxis, YAxis } from "recharts";
import { fixedTicks, niceTicks } from "@/lib/client/chart-ticks";
import { clock } from "@/lib/client/format";
import type { StatsPoint } from "@/lib/client/stats-history";
import { useSize } from "../topology/use-size";
import { axisTick, gridStroke, legendStyle, tooltipStyle } from "./chart-theme";

type NumericKey = { [K in keyof StatsPoint]: StatsPoint[K] extends number | null ? K : never }[keyof StatsPoint];

export interface ChartSeries {
  key: NumericKey;
  name: string;
  color: string;
  width: number;
  dash?: string;
  /** Under the line: a colour or a url(#gradient) from `defs`; a plain line without. */
  fill?: string;
  fillOpacity?: number;
  /** Steps (stays at a value until the next point) rather than straight lines. */
  step?: boolean;
}

export interface TimeChartProps {
  /** A fixed window of points (chartWindow): at most a few hundred. */
  points: StatsPoint[];
  start: number;
  end: number;
  series: readonly ChartSeries[];
  /** "nice": [0, a round number over the data]; "max+1": [0, the data's max + 1]. */
  domain?: "nice" | "max+1";
  /** Whole numbers only on the y axis. */
  integer?: boolean;
  yTick?: (v: number) => string;
  /** The time axis under the chart (the last chart of a stack). */
  showTime?: boolean;
  format?: (v: number) => string;
  defs?: React.ReactNode;
}

/** Room at the top for the legend (LEGEND_H) over the plot. */
const LEGEND_H = 18;
const MARGIN = { top: 2 + LEGEND_H, right: 6, bottom: 0, left: 0 };
/** Without the time axis under it, room for the lowest tick's text (centred on the plot's bottom). */
const MARGIN_NO_TIME = { ...MARGIN, bottom: 7 };
/** Five y ticks from this chart height (px), three below: a tick's text is ~14 px high, and wants as much room again. */
const TALL_CHART_PX = 120;
const Y_AXIS_W = 46;
const asText = (v: number) => String(v);

/**
 * One live chart in recharts, sized by its box. Cheap enough to follow the stats once a second:
 * a fixed window of points, no animation, ticks computed here once per update (not by recharts'
 * domain search), and every prop that does not change kept identical between renders.
 */
export const TimeChart = memo(function TimeChart(props: TimeChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(boxRef);
  return (
    <div ref={boxRef} className="relative h-full min-h-12 w-full" data-testid="time-chart" data-points={props.points.length}>
      {width > 0 && height > 0 && <ChartBody {...props} width={width} height={height} />}
      <ChartLegend series={props.series} />
    </div>
  );
});

function ChartBody({ points, start, end, series, domain = "nice", integer = false, yTick = asText, showTime = false, format = asText, defs, width, height }: TimeChartProps & { width: number; height: number }) {
  // As many y ticks as the height has room for, decided here: with recharts' own choice
  // (interval="preserveStartEnd") every render measured each tick's text, a forced layout of the
  // whole page each time (200 nodes under a storm: 12% of the page's main thread).
  const count = height >= TALL_CHART_PX ? 5 : 3;
  const { ticks, top } = useMemo(() => {
    let max = 0;
    for (const p of points) for (const s of series) max = Math.max(max, p[s.key] ?? 0);
    return domain === "max+1" ? fixedTicks(max + 1, integer, count) : niceTicks(max, integer, count);
  }, [points, series, domain, integer, count]);
  const yDomain = useMemo(() => [0, top] as [number, number], [top]);
  const xDomain = useMemo(() => [start, end] as [number, number], [start, end]);
  const xTicks = useMemo(() => (end - start < 2000 ? [end] : [start, (start + end) / 2, end]), [start, end]);
  const tooltipValue = useMemo(() => (v: unknown) => (typeof v === "number" ? format(v) : "—"), [format]);
  // The y ticks as plain SVG text: recharts' own tick text, given the axis's width, measured its
  // words on every render (a forced layout of the whole page each time: the longest tasks of a
  // 200-node page under a storm were its charts' re-renders doing this).
  const valueTick = useMemo(() => ValueTick(yTick), [yTick]);

  return (
    <ComposedChart width={width} height={height} data={points} margin={showTime ? MARGIN : MARGIN_NO_TIME} accessibilityLayer={false}>
      {defs && <defs>{defs}</defs>}
      <CartesianGrid stroke={gridStroke} vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        domain={xDomain}
        ticks={xTicks}
        allowDataOverflow
        hide={!showTime}
        tick={TimeTick}
        axisLine={false}
        tickLine={false}
        height={20}
        interval={0}
      />
      <YAxis width={Y_AXIS_W} domain={yDomain} ticks={ticks} tick={valueTick} axisLine={false} tickLine={false} interval={0} />
      <Tooltip {...tooltipStyle} isAnimationActive={false} labelFormatter={labelClock} formatter={tooltipValue} />
      {series.map((s) => {
        const common = {
          dataKey: s.key,
          name: s.name,
          type: s.step ? ("stepAfter" as const) : ("linear" as const),
          stroke: s.color,
          strokeWidth: s.width,
          strokeDasharray: s.dash,
          isAnimationActive: false,
          dot: false,
          activeDot: ACTIVE_DOT,
          legendType: "circle" as const,
        };
        // A line is an Area without fill: recharts' Line reads its path's getTotalLength() on every
        // render, even with animation off, which lays the page out (200 nodes under a storm: the
        // largest single cost of the charts in a profile of the page).
        return <Area key={s.key} {...common} fill={s.fill ?? "none"} fillOpacity={s.fill ? (s.fillOpacity ?? 1) : 0} connectNulls={!s.fill} />;
      })}
    </ComposedChart>
  );
}

const ACTIVE_DOT = { r: 4, strokeWidth: 2, stroke: "#fff" };

/**
 * The series' names over the plot's top right, in HTML rather than recharts' <Legend>: that one
 * measured its box and re-registered its payload on every update of the data (a forced layout
 * and a cascade of store updates each second per chart; 200 nodes under a storm: 3.1 fps with the
 * charts, 18.9 without).
 */
const ChartLegend = memo(function ChartLegend({ series }: { series: readonly ChartSeries[] }) {
  return (
    <div className="pointer-events-none absolute top-0 right-1.5 flex gap-3" style={legendStyle} data-testid="chart-legend">
      {series.map((s) => (
        <span key={s.key} className="flex items-center gap-1">
          <span aria-hidden className="inline-block size-2.5 rounded-full" style={{ background: s.color }} />
          {s.name}
        </span>
      ))}
    </div>
  );
});

interface TickProps {
  x?: number | string;
  y?: number | string;
  index?: number;
  visibleTicksCount?: number;
  payload?: { value?: unknown };
}

/** A y tick's value, right-aligned against the plot, formatted by `format`. */
function ValueTick(format: (v: number) => string) {
  return function Tick({ x = 0, y = 0, payload }: TickProps) {
    return (
      <text x={Number(x)} y={Number(y)} dy="0.355em" textAnchor="end" fill={axisTick.fill} fontSize={axisTick.fontSize}>
        {typeof payload?.value === "number" ? format(payload.value) : ""}
      </text>
    );
  };
}

/** A time under the axis; the first starts and the last ends at its tick, so neither is cut off. */
function TimeTick({ x = 0, y = 0, index = 0, visibleTicksCount = 1, payload }: TickProps) {
  const anchor = visibleTicksCount > 1 && index === 0 ? "start" : index === visibleTicksCount - 1 ? "end" : "middle";
  return (
    <text x={Number(x)} y={Number(y)} dy="0.9em" textAnchor={anchor} fill={axisTick.fill} fontSize={axisTick.fontSize}>
      {typeof payload?.value === "number" ? clock(payload.value) : ""}
    </text>
  );
}

function labelClock(label: unknown): string {
  return typeof label === "number" ? clock(label) : String(label ?? "");
}
