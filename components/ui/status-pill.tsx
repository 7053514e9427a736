import type { ReactNode } from "react";

export type Tone = "good" | "warn" | "bad" | "idle";

const tones: Record<Tone, { ring: string; dot: string }> = {
  good: { ring: "border-emerald-400/30 bg-emerald-400/10 text-emerald-200", dot: "bg-emerald-400 shadow-[0_0_8px_rgb(52_211_153/0.9)]" },
  warn: { ring: "border-amber-400/40 bg-amber-400/10 text-amber-200", dot: "bg-amber-400 animate-breathe" },
  bad: { ring: "border-rose-500/40 bg-rose-500/10 text-rose-200", dot: "bg-rose-500" },
  idle: { ring: "border-edge-strong bg-raised text-dim", dot: "bg-slate-500" },
};

interface StatusPillProps {
  tone: Tone;
  label: ReactNode;
  value: ReactNode;
  title?: string;
  testId?: string;
  status?: string;
}

export function StatusPill({ tone, label, value, title, testId, status }: StatusPillProps) {
  const t = tones[tone];
  return (
    <div
      data-testid={testId}
      data-status={status}
      title={title}
      className={`flex h-11 items-center gap-2 rounded-full border px-3 text-sm whitespace-nowrap 2xl:gap-2.5 2xl:px-4 ${t.ring}`}
    >
      <span className={`size-2.5 rounded-full ${t.dot}`} />
      <span className="hidden text-faint 2xl:inline">{label}</span>
      <span className="font-semibold">{value}</span>
    </div>
  );
}
