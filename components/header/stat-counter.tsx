import { compactCount, count } from "@/lib/client/format";

export type CounterTone = "neutral" | "sky" | "teal" | "emerald" | "rose" | "amber";

const tones: Record<CounterTone, string> = {
  neutral: "text-ink",
  sky: "text-sky-300",
  teal: "text-teal-300",
  emerald: "text-emerald-300",
  rose: "text-rose-400",
  amber: "text-amber-300",
};

const bars: Record<CounterTone, string> = {
  neutral: "bg-slate-400",
  sky: "bg-sky-400",
  teal: "bg-teal-400",
  emerald: "bg-emerald-400",
  rose: "bg-rose-500",
  amber: "bg-amber-400",
};

interface StatCounterProps {
  label: string;
  value: number | undefined;
  tone: CounterTone;
  testId: string;
  /** Dims the number while it is zero (a zero "lost" should not shout). */
  quietWhenZero?: boolean;
}

/**
 * One big number of the header, readable from the back of the room. Below 2400 px five exact
 * counts in the millions do not fit one row beside the controls (measured: at 1920 px the
 * labelled buttons ran under counts of a few digits): there they read "1.23M" (from
 * 100,000 on), the exact count in the tooltip; wider screens show every digit.
 */
export function StatCounter({ label, value, tone, testId, quietWhenZero }: StatCounterProps) {
  const quiet = quietWhenZero && !value;
  return (
    <div className="relative flex min-w-[5.6rem] flex-col justify-center pl-3.5 3xl:min-w-[6.5rem]">
      <span className={`absolute top-1 bottom-1 left-0 w-1 rounded-full ${quiet ? "bg-edge-strong" : bars[tone]}`} />
      <span className="text-[0.72rem] font-semibold tracking-[0.14em] text-faint uppercase">{label}</span>
      <span
        data-testid={testId}
        data-value={value ?? 0}
        title={value === undefined ? undefined : `${count(value)} ${label.toLowerCase()}`}
        className={`text-[1.6rem] leading-tight font-bold tabular-nums transition-colors xl:text-[1.9rem] ${quiet ? "text-faint" : tones[tone]}`}
      >
        {value === undefined ? (
          "—"
        ) : (
          <>
            <span className="max-[150rem]:hidden">{count(value)}</span>
            <span className="min-[150rem]:hidden">{compactCount(value)}</span>
          </>
        )}
      </span>
    </div>
  );
}
