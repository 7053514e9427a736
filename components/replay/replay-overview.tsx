"use client";

import { useQuery } from "@tanstack/react-query";
import { memo, useRef } from "react";
import { Area, AreaChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { call } from "@/lib/client/api";
import { clock, rate } from "@/lib/client/format";
import { routes } from "@/lib/contracts/routes";
import { tooltipStyle } from "../charts/chart-theme";
import { useSize } from "../topology/use-size";

const POINTS = 300;
const MARGIN = { top: 4, right: 0, bottom: 0, left: 0 };

interface OverviewProps {
  since: number;
  until: number;
  /** The replayed moment, rounded by the caller to a step of the window (so this redraws a few hundred times per window at most). */
  at: number;
  onSeek: (t: number) => void;
}

/**
 * The replay scrubber's overview: messages/s over the whole window (GET /api/series, at most 300
 * buckets), the replayed moment as a line; a click jumps there. recharts, no animation.
 */
export const ReplayOverview = memo(function ReplayOverview({ since, until, at, onSeek }: OverviewProps) {
  const box = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(box);
  const { data } = useQuery({
    queryKey: ["replay-overview", since, until],
    queryFn: () => call(routes.series, { query: { since: Math.floor(since), until: Math.ceil(until), points: POINTS } }),
    staleTime: Infinity,
  });
  const points = (data?.points ?? []).map((p) => ({ t: p.t, received: p.receivedPerS, lost: p.lostPerS }));
  return (
    <div ref={box} className="relative h-full w-full" data-testid="replay-overview" data-points={points.length}>
      {width > 0 && height > 0 && (
        <AreaChart
          width={width}
          height={height}
          data={points}
          margin={MARGIN}
          onClick={(e) => typeof e?.activeLabel === "number" && onSeek(e.activeLabel)}
          className="cursor-pointer"
        >
          <XAxis dataKey="t" type="number" domain={[since, until]} hide />
          <YAxis hide domain={[0, "auto"]} />
          <Tooltip {...tooltipStyle} labelFormatter={(t) => clock(Number(t))} formatter={(v) => `${rate(Number(v))} /s`} isAnimationActive={false} />
          <Area dataKey="received" name="received" type="monotone" stroke="#2dd4bf" fill="#2dd4bf" fillOpacity={0.25} strokeWidth={1.5} isAnimationActive={false} dot={false} />
          <Area dataKey="lost" name="lost" type="monotone" stroke="#f43f5e" fill="#f43f5e" fillOpacity={0.3} strokeWidth={1} isAnimationActive={false} dot={false} />
          <ReferenceLine x={at} stroke="#c4b5fd" strokeWidth={2} ifOverflow="extendDomain" />
        </AreaChart>
      )}
    </div>
  );
});
