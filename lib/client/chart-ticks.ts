/** Y axis ticks of the live charts, the way the dashboard's charts always had them (recharts' rules). */

const TICKS = 5;

/**
 * Round ticks from zero over `max` (as the charts always had them): TICKS ticks, the step a
 * multiple of 0.05 of its order of magnitude, the last tick the top of the chart.
 */
export function niceTicks(max: number, integer: boolean, count = TICKS): { ticks: number[]; top: number } {
  if (!(max > 0)) return { ticks: Array.from({ length: count }, (_, i) => i), top: count - 1 };
  for (let correction = 0; ; correction++) {
    const step = adaptiveStep(max / (count - 1), integer, correction);
    if (Math.ceil(max / step - 1e-9) + 1 <= count) {
      const ticks = Array.from({ length: count }, (_, i) => round(i * step));
      return { ticks, top: ticks[count - 1]! };
    }
  }
}

/** Ticks inside [0, max], max itself the last. */
export function fixedTicks(max: number, integer: boolean, count = TICKS): { ticks: number[]; top: number } {
  const step = adaptiveStep(max / (count - 1), integer, 0);
  const ticks: number[] = [];
  for (let v = 0; v < max - 1e-9; v = round(v + step)) ticks.push(integer ? Math.round(v) : v);
  const last = integer ? Math.round(max) : max;
  if (ticks[ticks.length - 1] !== last) ticks.push(last);
  return { ticks, top: max };
}

function adaptiveStep(rough: number, integer: boolean, correction: number): number {
  const digits = Math.floor(Math.log10(rough)) + 1;
  const magnitude = 10 ** digits;
  const scale = digits !== 1 ? 0.05 : 0.1;
  const step = round((Math.ceil(round(rough / magnitude / scale)) + correction) * scale * magnitude);
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

const round = (v: number) => Number(v.toPrecision(12));
