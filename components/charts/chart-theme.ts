export const WINDOW_MS = 5 * 60 * 1000;

export const axisTick = { fill: "#94a3b8", fontSize: 12 };
export const gridStroke = "#1c2636";

export const tooltipStyle = {
  contentStyle: {
    background: "#0c121d",
    border: "1px solid #2a374c",
    borderRadius: 10,
    fontSize: 13,
    color: "#e6edf7",
    padding: "8px 10px",
  },
  labelStyle: { color: "#94a3b8", marginBottom: 2 },
  itemStyle: { padding: "1px 0" },
  cursor: { stroke: "#94a3b8", strokeWidth: 1 },
} as const;

export const legendStyle = { fontSize: 12, lineHeight: "16px", color: "#94a3b8", paddingBottom: 2 } as const;
