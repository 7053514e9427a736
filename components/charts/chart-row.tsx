import type { ReactNode } from "react";

interface ChartRowProps {
  title: string;
  children: ReactNode;
  /** The headline numbers left of the chart. */
  values: ReactNode;
  testId: string;
}

/** A metric row: its name and current values on the left, the live chart on the right. */
export function ChartRow({ title, values, children, testId }: ChartRowProps) {
  return (
    <div className="flex min-h-0 flex-1 items-stretch gap-2 border-b border-edge/70 last:border-b-0" data-testid={testId}>
      <div className="flex w-[8rem] shrink-0 flex-col justify-center py-1.5 pl-4 2xl:w-[9.5rem]">
        <div className="text-xs font-semibold tracking-[0.14em] text-faint uppercase">{title}</div>
        <div className="flex flex-wrap items-baseline gap-x-3">{values}</div>
      </div>
      <div className="min-h-0 min-w-0 flex-1 py-2 pr-3">{children}</div>
    </div>
  );
}

export function BigValue({ value, unit, className }: { value: string; unit?: string; className: string }) {
  return (
    <div className={`leading-tight font-bold whitespace-nowrap tabular-nums ${className}`}>
      <span className="text-[1.6rem] tall:text-[1.75rem]">{value}</span>
      {unit && <span className="ml-1 text-sm font-semibold opacity-70">{unit}</span>}
    </div>
  );
}
