"use client";

import { memo } from "react";
import { togglePick } from "@/lib/client/faults";
import { nodeLabel } from "@/lib/client/format";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { nodeColor } from "../ui/status";
import type { NodePlace } from "./layout";

/** Type sizes of the graph (px): the dashboard's, and the presenter view's, read from across a room. */
export interface GraphType {
  host: number;
  small: number;
  label: number;
  /** A short name inside its disc: this much of the radius, at most labelMax. */
  inside: number;
  labelMax: number;
  note: number;
  /** The largest disc's radius. */
  maxR: number;
}
/** On dense rings (many replicas on a host): the short name inside the disc at this much of its radius. */
const DENSE_FONT = 0.8;
export const TYPE: GraphType = { host: 15, small: 13, label: 13, inside: 0.62, labelMax: 20, note: 12, maxR: 32 };

/** The presenter's sizes follow its root font size (`root` px): about 1.3 times the dashboard's at 1280×720. */
export function largeType(root: number): GraphType {
  const em = (k: number) => Math.round(k * root);
  return { host: em(1.05), small: em(0.85), label: em(0.95), inside: 0.62, labelMax: em(1.55), note: em(0.85), maxR: em(2.5) };
}

interface TopologyNodeProps {
  node: NodeDTO;
  place: NodePlace;
  selected: boolean;
  onSelect: (name: string) => void;
  type: GraphType;
}

/** One replica: a status-coloured disc with its short name; down nodes dimmed and crossed out. */
export const TopologyNode = memo(function TopologyNode({ node, place, selected, onSelect, type }: TopologyNodeProps) {
  const { x, y, r, labelInside } = place;
  const color = nodeColor[node.status];
  const short = nodeLabel(node);
  const down = node.status === "down";

  return (
    <g
      className={`topo-node pointer-events-auto cursor-pointer ${node.status === "starting" ? "is-starting" : ""}`}
      style={{ transform: `translate(${x}px, ${y}px)`, opacity: down ? 0.6 : 1 }}
      data-testid={`node-${short}`}
      data-status={node.status}
      data-name={node.name}
      role="button"
      tabIndex={0}
      aria-label={`${node.name}, ${node.status}`}
      aria-pressed={selected}
      onClick={(e) => {
        e.stopPropagation();
        if (e.shiftKey) return togglePick(node.name); // group A of the partition picker (Faults panel)
        onSelect(node.name);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onSelect(node.name);
        }
      }}
    >
      <title>{`${node.name} — ${node.status}${node.downReason ? ` (${node.downReason})` : ""}`}</title>
      {node.status === "up" && r >= 16 && <circle r={r * 1.9} fill="url(#topo-glow-up)" pointerEvents="none" />}
      <circle className="topo-hit" r={r + 6} fill="transparent" stroke={color} strokeOpacity={0} strokeWidth={2} />
      {selected && <circle r={r + 7} fill="none" stroke="#e6edf7" strokeWidth={2.5} strokeDasharray="5 4" />}
      <g className="topo-core">
        <circle r={r} fill="#0c121d" />
        <circle r={r} fill={color} fillOpacity={down ? 0.12 : 0.22} stroke={color} strokeWidth={r > 14 ? 3 : 2} />
        {node.flags.length > 0 && (
          <circle cx={r * 0.75} cy={-r * 0.75} r={Math.max(4, r * 0.22)} fill="#fbbf24" stroke="#0c121d" strokeWidth={2} />
        )}
      </g>
      {down && (
        <path
          d={`M${-r * 0.5},${-r * 0.5}L${r * 0.5},${r * 0.5}M${r * 0.5},${-r * 0.5}L${-r * 0.5},${r * 0.5}`}
          stroke="#fb7185"
          strokeOpacity={labelInside ? 0.5 : 1}
          strokeWidth={Math.max(2.5, r * 0.14)}
          strokeLinecap="round"
        />
      )}
      {labelInside && (
        <text
          textAnchor="middle"
          dy="0.35em"
          fontSize={place.dense ? r * DENSE_FONT : Math.max(13, Math.min(type.labelMax, r * type.inside))}
          fontWeight={700}
          fill={down ? "#fecdd3" : "#f1f5f9"}
          pointerEvents="none"
        >
          {short}
        </text>
      )}
    </g>
  );
}, sameDisc);

/**
 * What a disc or label shows of a node and its place: a cluster push (once a second for 200
 * nodes, every node a new object with new counters) redraws only the nodes it changed.
 */
function sameView(p: { node: NodeDTO; place: NodePlace }, q: { node: NodeDTO; place: NodePlace }): boolean {
  const [a, b, s, t] = [p.node, q.node, p.place, q.place];
  const node =
    a === b ||
    (a.name === b.name && a.status === b.status && a.slot === b.slot && a.downReason === b.downReason && a.flags.length === b.flags.length && a.replica?.ip === b.replica?.ip);
  return node && (s === t || (s.x === t.x && s.y === t.y && s.r === t.r && s.angle === t.angle && s.labelInside === t.labelInside && s.dense === t.dense));
}

function sameDisc(p: TopologyNodeProps, q: TopologyNodeProps): boolean {
  return p.selected === q.selected && p.onSelect === q.onSelect && p.type === q.type && sameView(p, q);
}

function sameLabel(p: NodeLabelProps, q: NodeLabelProps): boolean {
  return p.showFullName === q.showFullName && p.showIp === q.showIp && p.type === q.type && sameView(p, q);
}

interface NodeLabelProps {
  node: NodeDTO;
  place: NodePlace;
  showFullName: boolean;
  /** Swarm, when there is no room for full names: the overlay address, small, under the disc. */
  showIp: boolean;
  type: GraphType;
}

/**
 * Labels outside the disc (the short name when the disc is too small for it, the full name),
 * drawn in their own layer so a node's clickable shape stays centred on the disc.
 */
export const NodeLabel = memo(function NodeLabel({ node, place, showFullName, showIp, type }: NodeLabelProps) {
  const { x, y, r, angle, labelInside } = place;
  if (place.dense) return null; // 200 names around rings would cover each other: inside the disc, or the title only
  const ip = showIp && !showFullName ? node.replica?.ip : undefined;
  if (labelInside && !showFullName && !ip) return null;
  const lx = Math.cos(angle);
  const ly = Math.sin(angle);
  const anchor = Math.abs(lx) < 0.3 ? "middle" : lx > 0 ? "start" : "end";
  const dy = ly > 0.3 ? "0.9em" : ly < -0.3 ? "-0.2em" : "0.35em";
  const down = node.status === "down";
  return (
    <g className="topo-node" style={{ transform: `translate(${x}px, ${y}px)`, opacity: down ? 0.7 : 1 }} pointerEvents="none">
      {!labelInside && (
        <text x={lx * (r + 8)} y={ly * (r + 8)} dy={dy} textAnchor={anchor} fontSize={type.label} fontWeight={700} fill={down ? "#fb7185" : "#e2e8f0"}>
          {nodeLabel(node)}
        </text>
      )}
      {ip && labelInside && (
        // Swarm: the overlay address, small, under the disc (the short name is the slot).
        <text y={ly < -0.5 ? -(r + 8) : r + 8} dy={ly < -0.5 ? "-0.2em" : "0.9em"} textAnchor="middle" fontSize={type.note} fill="#64748b" fontFamily="var(--font-mono)">
          {ip}
        </text>
      )}
      {showFullName && labelInside && (
        // Centred under the disc (over it for the top of the circle), where neighbours leave room.
        <text
          y={ly < -0.5 ? -(r + 10) : r + 10}
          dy={ly < -0.5 ? "-0.2em" : "0.9em"}
          textAnchor="middle"
          fontSize={type.note}
          fill="#64748b"
          fontFamily="var(--font-mono)"
        >
          {node.name}
        </text>
      )}
    </g>
  );
}, sameLabel);
