"use client";

import { memo, useMemo, useRef } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";
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

const MARGIN = { top: 2, right: 6, bottom: 0, left: 0 };
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
    </div>
  );
});

function ChartBody({ points, start, end, series, domain = "nice", integer = false, yTick = asText, showTime = false, format = asText, defs, width, height }: TimeChartProps & { width: number; height: number }) {
  const { ticks, top } = useMemo(() => {
    let max = 0;
    for (const p of points) for (const s of series) max = Math.max(max, p[s.key] ?? 0);
    return domain === "max+1" ? fixedTicks(max + 1, integer) : niceTicks(max, integer);
  }, [points, series, domain, integer]);
  const yDomain = useMemo(() => [0, top] as [number, number], [top]);
  const xDomain = useMemo(() => [start, end] as [number, number], [start, end]);
  const xTicks = useMemo(() => (end - start < 2000 ? [end] : [start, (start + end) / 2, end]), [start, end]);
  const tooltipValue = useMemo(() => (v: unknown) => (typeof v === "number" ? format(v) : "—"), [format]);

  return (
    <ComposedChart width={width} height={height} data={points} margin={MARGIN} accessibilityLayer={false}>
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
      <YAxis width={Y_AXIS_W} domain={yDomain} ticks={ticks} tickFormatter={yTick} tick={axisTick} axisLine={false} tickLine={false} interval="preserveStartEnd" />
      <Tooltip {...tooltipStyle} isAnimationActive={false} labelFormatter={labelClock} formatter={tooltipValue} />
      <Legend verticalAlign="top" align="right" height={18} iconSize={10} wrapperStyle={legendStyle} itemSorter={null} />
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
        return s.fill ? <Area key={s.key} {...common} fill={s.fill} fillOpacity={s.fillOpacity ?? 1} /> : <Line key={s.key} {...common} connectNulls />;
      })}
    </ComposedChart>
  );
}

const ACTIVE_DOT = { r: 4, strokeWidth: 2, stroke: "#fff" };

interface TickProps {
  x?: number | string;
  y?: number | string;
  index?: number;
  visibleTicksCount?: number;
  payload?: { value?: unknown };
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
