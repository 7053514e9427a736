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
} as const;
