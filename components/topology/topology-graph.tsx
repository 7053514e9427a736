"use client";

import { useMemo, useRef } from "react";
import type { HostDTO, NodeDTO } from "@/lib/contracts/http-replies";
import { EmptyState } from "../ui/empty-state";
import { Panel } from "../ui/panel";
import { nodeColor } from "../ui/status";
import { useShapeStable } from "@/lib/client/node-shape";
import { computeLayout, type HostRegion, hostKey } from "./layout";
import { CROSS_COLOR, LinkLayer } from "./link-layer";
import { BUNDLE_ABOVE, countLinks } from "./link-paths";
import { LinkCounts } from "./link-counts";
import { PulseLayer } from "./pulse-layer";
import { largeType, NodeLabel, TopologyNode, TYPE, type GraphType } from "./topology-node";
import { useRootPx } from "../ui/use-root-px";
import { useSize } from "./use-size";

interface TopologyGraphProps {
  nodes: NodeDTO[];
  /** The runtime's hosts (Swarm nodes): each group shows its host's state; none on local. */
  hosts?: HostDTO[];
  selected: string | null;
  onSelect: (name: string | null) => void;
  /** The presenter view: labels in larger type. */
  large?: boolean;
}

/** Replicas grouped by host, distribution links as edges (dashed across hosts), messages as travelling pulses. */
export function TopologyGraph({ nodes, hosts = NO_HOSTS, selected, onSelect, large = false }: TopologyGraphProps) {
  const root = useRootPx(large);
  const type = useMemo(() => (large ? largeType(root) : TYPE), [large, root]);
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(boxRef);
  const hostCount = useMemo(() => Math.max(hosts.length, new Set(nodes.map(hostKey)).size), [nodes, hosts]);
  // Full names only where there is room for them: few nodes per host, a large region.
  const showFullNames = nodes.length / Math.max(1, hostCount) <= 8 && Math.min(width / Math.max(1, hostCount), height) >= 460;
  // Swarm replicas share one Erlang name: without full names, their address under the disc (few per host).
  const showIps = !showFullNames && nodes.length / Math.max(1, hostCount) <= 8;
  const maxR = type.maxR;
  // Laid out again only when the nodes' shape changed, not on every push of the counters: the
  // same layout object, so the links, pulses and link counts skip their work.
  const { nodes: placed, hosts: placedHosts } = useShapeStable(nodes, hosts);
  const layout = useMemo(
    () => computeLayout(placed, width, height, showFullNames ? 16 : 0, maxR, placedHosts),
    [placed, width, height, showFullNames, maxR, placedHosts],
  );

  const regions = layout.regions.length;
  const crossLinks = layout.edges.filter((e) => e[2]).length;
  const up = nodes.filter((n) => n.status === "up").length;
  // Links per host group: shown where there are several hosts, or too many links to tell apart.
  const counts = useMemo(
    () => (regions > 1 || layout.edges.length > BUNDLE_ABOVE ? countLinks(layout.edges, (n) => layout.regionOf.get(n)?.key) : null),
    [regions, layout],
  );

  return (
    <Panel
      testId="topology"
      title="Topology"
      meta={
        nodes.length > 0 &&
        `${up}/${nodes.length} up · ${regions} host${regions === 1 ? "" : "s"} · ${layout.edges.length} link${layout.edges.length === 1 ? "" : "s"}${crossLinks ? ` (${crossLinks} across hosts)` : ""}`
      }
      actions={<Legend crossHost={regions > 1} starting={nodes.some((n) => n.status === "starting")} />}
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
            <>
              {/* Host regions, then the links on a canvas (19,900 of them for 200 nodes), a layer of its
                  own painted only when they change, then the messages in flight on another. */}
              <svg width={width} height={height} className="absolute inset-0 block select-none" role="img" aria-label="Cluster topology">
                {layout.regions.map((r) => (
                  <Region key={r.key} region={r} type={type} />
                ))}
              </svg>
              <LinkLayer edges={layout.edges} places={layout.places} regionOf={layout.regionOf} selected={selected} width={width} height={height} />
              <PulseLayer places={layout.places} width={width} height={height} />
              {/* The labels and nodes on top; only the nodes take the pointer (a click elsewhere clears the selection). */}
              <svg width={width} height={height} className="pointer-events-none absolute inset-0 block select-none" role="group" aria-label="Cluster nodes">
                <defs>
                  <radialGradient id="topo-glow-up">
                    <stop offset="0%" stopColor="#34d399" stopOpacity="0.28" />
                    <stop offset="100%" stopColor="#34d399" stopOpacity="0" />
                  </radialGradient>
                </defs>
                {counts && <LinkCounts counts={counts} regions={layout.regions} type={type} />}
                <g>
                  {nodes.map((n) => {
                    const place = layout.places.get(n.name);
                    return place && <NodeLabel key={n.name} node={n} place={place} showFullName={showFullNames} showIp={showIps} type={type} />;
                  })}
                </g>
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
                        type={type}
                      />
                    )
                  );
                })}
              </svg>
            </>
          )
        )}
      </div>
    </Panel>
  );
}

const NO_HOSTS: HostDTO[] = [];

function Region({ region: r, type }: { region: HostRegion; type: GraphType }) {
  const top = r.y + 8 + type.host;
  const h = r.info;
  const lost = h && (h.state !== "ready" || h.partitionedSince !== null);
  return (
    <g
      pointerEvents="none"
      data-testid="host-region"
      data-host={r.host}
      data-host-id={h?.id}
      data-state={h?.state}
      data-cut={h?.partitionedSince != null || undefined}
    >
      {h && <title>{`${h.hostname} (Swarm node ${h.id}), ${h.role}, ${h.state}, ${h.availability}, engine ${h.engine}, ${h.address}, agent ${h.agent}`}</title>}
      <rect x={r.x} y={r.y} width={r.w} height={r.h} rx={18} fill="#0f1828" fillOpacity={0.55} stroke={lost ? "#fb7185" : "#1f2b3e"} strokeOpacity={lost ? 0.6 : 1} strokeDasharray="6 6" />
      <g transform={`translate(${r.x + 16}, ${top})`}>
        <text fontSize={type.small} fontWeight={700} letterSpacing="0.12em" fill="#64748b">
          HOST
        </text>
        <text x={type.small * 3.7} fontSize={type.host} fontWeight={600} fill="#cbd5e1" fontFamily="var(--font-mono)">
          {r.host}
        </text>
        {h && <HostState host={h} />}
      </g>
      <text x={r.x + r.w - 16} y={top} textAnchor="end" fontSize={type.host} fill="#94a3b8">
        {r.up}/{r.count} up
      </text>
      {h && (
        <text x={r.x + r.w - 16} y={r.y + 44} textAnchor="end" fontSize={12} fill="#475569" fontFamily="var(--font-mono)">
          {h.id.slice(0, 8)}
        </text>
      )}
    </g>
  );
}

/** Under the host's name: Ready/Down, manager/worker, engine version, and a cut or drain. */
function HostState({ host: h }: { host: HostDTO }) {
  const ready = h.state === "ready";
  return (
    <text y={22} fontSize={13} fill="#64748b" data-testid="host-state">
      <tspan fill={ready ? "#34d399" : "#fb7185"} fontWeight={600}>
        {ready ? "Ready" : h.state.charAt(0).toUpperCase() + h.state.slice(1)}
      </tspan>
      {` · ${h.role} · engine ${h.engine.replace(/\+.*$/, "")}`}
      {h.availability !== "active" && <tspan fill="#fbbf24">{` · ${h.availability}`}</tspan>}
      {h.partitionedSince !== null && (
        <tspan fill="#fb7185" fontWeight={600}>
          {" · cut off"}
        </tspan>
      )}
    </text>
  );
}

/** The "starting" swatch breathes only while a node does: an endless animation makes the browser draw frames forever. */
function Legend({ crossHost, starting }: { crossHost: boolean; starting: boolean }) {
  const item = (color: string, label: string, extra = "") => (
    <span className="flex items-center gap-1.5">
      <span className={`size-3 rounded-full border-2 ${extra}`} style={{ borderColor: color, backgroundColor: `${color}33` }} />
      {label}
    </span>
  );
  return (
    <div className="hidden items-center gap-4 text-sm text-dim lg:flex">
      {item(nodeColor.up, "up")}
      {item(nodeColor.starting, "starting", starting ? "animate-breathe" : "")}
      {item(nodeColor.down, "down")}
      <span className="flex items-center gap-1.5">
        <span className="size-2.5 rounded-full bg-teal-200 shadow-[0_0_8px_3px_rgb(45_212_191/0.5)]" />
        message
      </span>
      {crossHost && (
        <span className="flex items-center gap-1.5">
          <svg width="22" height="6" aria-hidden>
            <line x1="0" y1="3" x2="22" y2="3" stroke={CROSS_COLOR} strokeWidth="2" strokeDasharray="6 4" />
          </svg>
          link across hosts
        </span>
      )}
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
