import { count as fmt } from "@/lib/client/format";
import type { HostRegion } from "./layout";
import type { LinkCount } from "./link-paths";
import type { GraphType } from "./topology-node";

interface LinkCountsProps {
  counts: LinkCount[];
  regions: HostRegion[];
  type: GraphType;
}

/**
 * How many links each host group holds: inside a host under its header (with "full mesh" when
 * every pair of its up nodes is linked), between two hosts on a pill halfway between them.
 */
export function LinkCounts({ counts, regions, type }: LinkCountsProps) {
  const byHost = new Map(regions.map((r) => [r.key, r]));
  return (
    <g data-testid="link-counts">
      {counts.map(({ a, b, count }) => {
        const ra = byHost.get(a);
        const rb = byHost.get(b);
        if (!ra || !rb) return null;
        const label = `${fmt(count)} link${count === 1 ? "" : "s"}`;
        if (ra === rb) {
          const mesh = ra.up > 2 && count === (ra.up * (ra.up - 1)) / 2 ? " · full mesh" : "";
          return (
            <text key={`${a}|${b}`} x={ra.x + ra.w - 16} y={ra.y + 14 + type.host + type.small} textAnchor="end" fontSize={type.small} fill="#64748b" data-host={a} data-count={count}>
              {label}
              {mesh}
            </text>
          );
        }
        const [x, y] = [(ra.cx + rb.cx) / 2, (ra.cy + rb.cy) / 2];
        const w = label.length * type.small * 0.6 + 16;
        return (
          <g key={`${a}|${b}`} transform={`translate(${x}, ${y})`} data-hosts={`${a}|${b}`} data-count={count}>
            <rect x={-w / 2} y={-type.small} width={w} height={type.small * 2} rx={type.small} fill="#0c121d" stroke="#2a374c" />
            <text textAnchor="middle" dy="0.35em" fontSize={type.small} fill="#94a3b8">
              {label}
            </text>
          </g>
        );
      })}
    </g>
  );
}
