"use client";

import { memo, useMemo, useRef, useState, type MouseEvent, type ReactNode } from "react";
import { clock } from "@/lib/client/format";
import type { StatsPoint } from "@/lib/client/stats-history";
import { useSize } from "../topology/use-size";
import { fixedTicks, niceTicks } from "@/lib/client/chart-ticks";
import { axisTick, gridStroke, tooltipStyle, WINDOW_MS } from "./chart-theme";

type NumericKey = { [K in keyof StatsPoint]: StatsPoint[K] extends number | null ? K : never }[keyof StatsPoint];

export interface ChartSeries {
  key: NumericKey;
  name: string;
  color: string;
  width: number;
  dash?: string;
  /** Under the line: a colour or a url(#gradient) from `defs`; none by default. */
  fill?: string;
  fillOpacity?: number;
  /** Steps (stays at a value until the next point) rather than straight lines. */
  step?: boolean;
}

interface LiveChartProps {
  points: StatsPoint[];
  end: number;
  series: ChartSeries[];
  /** "nice": [0, a round number over the data]; "max+1": [0, the data's max + 1]. */
  domain?: "nice" | "max+1";
  /** Whole numbers only on the y axis. */
  integer?: boolean;
  yTick?: (v: number) => string;
  /** The time axis under the chart (the last chart of a stack). */
  showTime?: boolean;
  format?: (v: number, s: ChartSeries) => string;
  defs?: ReactNode;
}

const MARGIN = { top: 4, right: 4, left: 0 };
const Y_AXIS_W = 44;
const TIME_AXIS_H = 22;
const LABEL_GAP = 21; // a y label's height and its gap to the next

/**
 * A small time-series chart in plain SVG, drawn the way the dashboard's charts always looked
 * (grid, y ticks, areas and lines over the last five minutes, a tooltip on hover). A render is
 * a few path strings, not a charting library's state machine: tens of times cheaper, so live
 * updates cost the page next to nothing.
 */
export const LiveChart = memo(function LiveChart({
  points,
  end,
  series,
  domain = "nice",
  integer = false,
  yTick = String,
  showTime = false,
  format = (v) => String(v),
  defs,
}: LiveChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(boxRef);
  // The time under the pointer: the point shown there follows the data as it moves on.
  const [hover, setHover] = useState<number | null>(null);

  const start = Math.max(points[0]?.t ?? end, end - WINDOW_MS);
  const plot = {
    x0: MARGIN.left + Y_AXIS_W,
    x1: Math.max(MARGIN.left + Y_AXIS_W + 1, width - MARGIN.right),
    y0: MARGIN.top,
    y1: Math.max(MARGIN.top + 1, height - (showTime ? TIME_AXIS_H : 1)),
  };

  const { ticks, top } = useMemo(() => {
    let max = 0;
    for (const p of points) {
      if (p.t < start) continue;
      for (const s of series) {
        const v = p[s.key];
        if (v != null && v > max) max = v;
      }
    }
    return domain === "max+1" ? fixedTicks(max + 1, integer) : niceTicks(max, integer);
  }, [points, series, start, domain, integer]);

  const sx = (t: number) => plot.x0 + ((t - start) / Math.max(1, end - start)) * (plot.x1 - plot.x0);
  const sy = (v: number) => plot.y1 - (v / (top || 1)) * (plot.y1 - plot.y0);

  const paths = series.map((s) => {
    let line = "";
    let first: number | null = null;
    for (const p of points) {
      const v = p[s.key];
      if (v == null) continue; // lines connect over missing values
      const x = sx(p.t).toFixed(1);
      const y = sy(v).toFixed(1);
      if (first === null) {
        first = Number(x);
        line = `M${x},${y}`;
      } else line += s.step ? `H${x}V${y}` : `L${x},${y}`;
    }
    return { line, area: s.fill && first !== null ? `${line}V${plot.y1}H${first}Z` : "" };
  });

  const shownLabels = yLabels(ticks, sy);
  const clipId = `live-chart-clip-${series[0]?.key ?? "none"}`;
  const hovered = hover !== null ? nearest(points, hover, start) : null;
  const active = hovered !== null ? points[hovered] : undefined;

  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    setHover(start + ((e.clientX - rect.left) / Math.max(1, rect.width)) * (end - start));
  };

  return (
    <div ref={boxRef} className="relative h-full min-h-10 w-full">
      {width > 0 && (
        <svg width={width} height={height} className="block overflow-visible">
          <defs>
            {defs}
            <clipPath id={clipId}>
              <rect x={plot.x0} y={plot.y0 - 2} width={plot.x1 - plot.x0} height={plot.y1 - plot.y0 + 4} />
            </clipPath>
          </defs>
          <g stroke={gridStroke}>
            {ticks.map((v) => (
              <line key={v} x1={plot.x0} x2={plot.x1} y1={sy(v)} y2={sy(v)} />
            ))}
          </g>
          <g fill={axisTick.fill} fontSize={axisTick.fontSize} textAnchor="end">
            {shownLabels.map((v) => (
              <text key={v} x={plot.x0 - 8} y={sy(v)} dy="0.355em">
                {yTick(v)}
              </text>
            ))}
          </g>
          {showTime && (
            <g fill={axisTick.fill} fontSize={axisTick.fontSize}>
              {timeLabels(start, end).map((t, i, all) => (
                <text
                  key={i}
                  x={sx(t)}
                  y={plot.y1 + 16}
                  textAnchor={i === 0 && sx(t) - 30 < 0 ? "start" : i === all.length - 1 && sx(t) + 30 > width ? "end" : "middle"}
                >
                  {clock(t)}
                </text>
              ))}
            </g>
          )}
          <g clipPath={`url(#${clipId})`}>
            {series.map((s, i) => (
              <g key={s.key}>
                {paths[i]!.area && <path d={paths[i]!.area} fill={s.fill} fillOpacity={s.fillOpacity ?? 1} stroke="none" />}
                {paths[i]!.line && (
                  <path d={paths[i]!.line} fill="none" stroke={s.color} strokeWidth={s.width} strokeDasharray={s.dash} strokeLinejoin="round" />
                )}
              </g>
            ))}
          </g>
          {active && (
            <g pointerEvents="none">
              <line x1={sx(active.t)} x2={sx(active.t)} y1={plot.y0} y2={plot.y1} stroke="#ccc" />
              {series.map((s) => {
                const v = active[s.key];
                return v == null ? null : <circle key={s.key} cx={sx(active.t)} cy={sy(v)} r={4} fill={s.color} stroke="#fff" strokeWidth={2} />;
              })}
            </g>
          )}
          <rect
            x={plot.x0}
            y={plot.y0}
            width={plot.x1 - plot.x0}
            height={plot.y1 - plot.y0}
            fill="transparent"
            onMouseMove={onMove}
            onMouseLeave={() => setHover(null)}
          />
        </svg>
      )}
      {active && <ChartTooltip point={active} series={series} format={format} x={sx(active.t)} width={width} />}
    </div>
  );
});

function ChartTooltip({
  point,
  series,
  format,
  x,
  width,
}: {
  point: StatsPoint;
  series: ChartSeries[];
  format: (v: number, s: ChartSeries) => string;
  x: number;
  width: number;
}) {
  const items = series.filter((s) => point[s.key] != null).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (items.length === 0) return null;
  // Right of the cursor, or left of it where there is no room.
  const right = x + 10 + 130 < width;
  return (
    <div
      className="pointer-events-none absolute top-1/2 z-20 -translate-y-1/2 whitespace-nowrap"
      style={{ ...tooltipStyle.contentStyle, padding: 10, ...(right ? { left: x + 10 } : { right: width - x + 10 }) }}
    >
      <div style={tooltipStyle.labelStyle}>{clock(point.t)}</div>
      <ul className="pt-1">
        {items.map((s) => (
          <li key={s.key} className="py-1" style={{ color: s.color }}>
            {s.name} : {format(point[s.key] as number, s)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The index of the point nearest to time t (points sorted by time), within the shown window. */
function nearest(points: StatsPoint[], t: number, start: number): number | null {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  const i = lo > 0 && Math.abs(points[lo - 1]!.t - t) < Math.abs(points[lo]!.t - t) ? lo - 1 : lo;
  return points[i]!.t >= start ? i : null;
}

/** Labels from the top down, each far enough from the one above; none at zero (the bottom edge). */
function yLabels(ticks: number[], sy: (v: number) => number): number[] {
  const out: number[] = [];
  let last = -Infinity;
  for (let i = ticks.length - 1; i >= 0; i--) {
    const v = ticks[i]!;
    if (v === 0) continue;
    if (sy(v) - last < LABEL_GAP) continue;
    out.push(v);
    last = sy(v);
  }
  return out;
}

/** Three times: the start, the middle and the end of the window. */
function timeLabels(start: number, end: number): number[] {
  return end - start < 2000 ? [end] : [start, (start + end) / 2, end];
}
