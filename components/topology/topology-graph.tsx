"use client";

import { useLayoutEffect, useMemo, useRef } from "react";
import type { NodeDTO } from "@/lib/types";
import { EmptyState } from "../ui/empty-state";
import { Panel } from "../ui/panel";
import { nodeColor } from "../ui/status";
import { computeLayout, type HostRegion, type NodePlace } from "./layout";
import { PulseLayer } from "./pulse-layer";
import { NodeLabel, TopologyNode } from "./topology-node";
import { useSize } from "./use-size";

interface TopologyGraphProps {
  nodes: NodeDTO[];
  selected: string | null;
  onSelect: (name: string | null) => void;
}

/** Replicas grouped by host, distribution links as edges, messages as travelling pulses. */
export function TopologyGraph({ nodes, selected, onSelect }: TopologyGraphProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(boxRef);
  const hostCount = useMemo(() => new Set(nodes.map((n) => n.host)).size, [nodes]);
  // Full names only where there is room for them: few nodes per host, a large region.
  const showFullNames = nodes.length / Math.max(1, hostCount) <= 8 && Math.min(width / Math.max(1, hostCount), height) >= 460;
  // Swarm replicas share one Erlang name: without full names, their address under the disc (few per host).
  const showIps = !showFullNames && nodes.length / Math.max(1, hostCount) <= 8;
  const layout = useMemo(() => computeLayout(nodes, width, height, showFullNames ? 16 : 0), [nodes, width, height, showFullNames]);
  const placesRef = useRef<Map<string, NodePlace>>(layout.places);
  useLayoutEffect(() => {
    placesRef.current = layout.places;
  }, [layout.places]);

  const hosts = layout.regions.length;
  const up = nodes.filter((n) => n.status === "up").length;
  const edgeOpacity = layout.edges.length > 1000 ? 0.07 : layout.edges.length > 400 ? 0.12 : layout.edges.length > 120 ? 0.22 : 0.4;

  return (
    <Panel
      testId="topology"
      title="Topology"
      meta={
        nodes.length > 0 &&
        `${up}/${nodes.length} up · ${hosts} host${hosts === 1 ? "" : "s"} · ${layout.edges.length} link${layout.edges.length === 1 ? "" : "s"}`
      }
      actions={<Legend />}
      className="h-full"
    >
      <div ref={boxRef} className="absolute inset-0" onClick={() => onSelect(null)}>
        {nodes.length === 0 ? (
          <EmptyState
            icon={<EmptyIcon />}
            title="No replicas yet — deploy some"
            hint="Pick a replica count in the Swarm panel and press Deploy. Nodes appear here as they join."
          />
        ) : (
          width > 0 && (
            <svg width={width} height={height} className="block select-none" role="img" aria-label="Cluster topology">
              <defs>
                <radialGradient id="topo-glow-up">
                  <stop offset="0%" stopColor="#34d399" stopOpacity="0.28" />
                  <stop offset="100%" stopColor="#34d399" stopOpacity="0" />
                </radialGradient>
              </defs>
              {layout.regions.map((r) => (
                <Region key={r.host} region={r} />
              ))}
              <g>
                {layout.edges.map(([a, b]) => {
                  const pa = layout.places.get(a)!;
                  const pb = layout.places.get(b)!;
                  const hot = selected === a || selected === b;
                  return (
                    <line
                      key={`${a}|${b}`}
                      className="topo-edge"
                      x1={pa.x}
                      y1={pa.y}
                      x2={pb.x}
                      y2={pb.y}
                      stroke={hot ? "#38d6c4" : "#7c8da8"}
                      strokeOpacity={hot ? 0.85 : selected ? edgeOpacity * 0.5 : edgeOpacity}
                      strokeWidth={hot ? 2.2 : 1.4}
                    />
                  );
                })}
              </g>
              <g>
                {nodes.map((n) => {
                  const place = layout.places.get(n.name);
                  return place && <NodeLabel key={n.name} node={n} place={place} showFullName={showFullNames} showIp={showIps} />;
                })}
              </g>
              <PulseLayer places={placesRef} />
              <g>
                {nodes.map((n) => {
                  const place = layout.places.get(n.name);
                  return (
                    place && (
                      <TopologyNode
                        key={n.name}
                        node={n}
                        place={place}
                        selected={n.name === selected}
                        onSelect={onSelect}
                      />
                    )
                  );
                })}
              </g>
            </svg>
          )
        )}
      </div>
    </Panel>
  );
}

function Region({ region: r }: { region: HostRegion }) {
  return (
    <g pointerEvents="none">
      <rect x={r.x} y={r.y} width={r.w} height={r.h} rx={18} fill="#0f1828" fillOpacity={0.55} stroke="#1f2b3e" strokeDasharray="6 6" />
      <g transform={`translate(${r.x + 16}, ${r.y + 22})`}>
        <text fontSize={13} fontWeight={700} letterSpacing="0.12em" fill="#64748b">
          HOST
        </text>
        <text x={48} fontSize={15} fontWeight={600} fill="#cbd5e1" fontFamily="var(--font-mono)">
          {r.host}
        </text>
      </g>
      <text x={r.x + r.w - 16} y={r.y + 22} textAnchor="end" fontSize={14} fill="#64748b">
        {r.up}/{r.count} up
      </text>
    </g>
  );
}

function Legend() {
  const item = (color: string, label: string, extra = "") => (
    <span className="flex items-center gap-1.5">
      <span className={`size-3 rounded-full border-2 ${extra}`} style={{ borderColor: color, backgroundColor: `${color}33` }} />
      {label}
    </span>
  );
  return (
    <div className="hidden items-center gap-4 text-sm text-dim lg:flex">
      {item(nodeColor.up, "up")}
      {item(nodeColor.starting, "starting", "animate-breathe")}
      {item(nodeColor.down, "down")}
      <span className="flex items-center gap-1.5">
        <span className="size-2.5 rounded-full bg-teal-200 shadow-[0_0_8px_3px_rgb(45_212_191/0.5)]" />
        message
      </span>
    </div>
  );
}

function EmptyIcon() {
  return (
    <svg viewBox="0 0 120 80" className="h-20 w-32" fill="none" aria-hidden>
      <path d="M30 56 60 20 90 56Z" stroke="#2a374c" strokeWidth="2" strokeDasharray="5 5" />
      <circle cx="60" cy="20" r="10" stroke="#2a374c" strokeWidth="2.5" strokeDasharray="4 4" />
      <circle cx="30" cy="56" r="10" stroke="#2a374c" strokeWidth="2.5" strokeDasharray="4 4" />
      <circle cx="90" cy="56" r="10" stroke="#2a374c" strokeWidth="2.5" strokeDasharray="4 4" />
    </svg>
  );
}
