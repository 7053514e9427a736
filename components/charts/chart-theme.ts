import { clock } from "@/lib/client/format";

export const WINDOW_MS = 5 * 60 * 1000;

export const axisTick = { fill: "#64748b", fontSize: 12 };
export const gridStroke = "#1c2636";

export const tooltipStyle = {
  contentStyle: {
    background: "#0c121d",
    border: "1px solid #2a374c",
    borderRadius: 10,
    fontSize: 13,
    color: "#e6edf7",
  },
  labelStyle: { color: "#94a3b8" },
  labelFormatter: (t: unknown) => (typeof t === "number" ? clock(t) : String(t)),
  isAnimationActive: false,
} as const;

/** The x axis: grows with the data until it shows the last WINDOW_MS. */
export const timeAxis = (start: number, end: number, show: boolean) =>
  ({
    dataKey: "t",
    type: "number",
    scale: "time",
    domain: [Math.max(start, end - WINDOW_MS), end],
    allowDataOverflow: true,
    tickFormatter: (t: number) => clock(t),
    tick: show ? axisTick : false,
    height: show ? 22 : 1,
    axisLine: false,
    tickLine: false,
    minTickGap: 60,
  }) as const;
