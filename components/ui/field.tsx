import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

export const controlClass =
  "h-11 w-full min-w-0 rounded-xl border border-edge-strong bg-canvas/70 px-3 text-base text-ink placeholder:text-faint transition-colors hover:border-dim/40 focus:border-accent focus:outline-none disabled:opacity-50";

export function Field({ label, children, className = "" }: { label: ReactNode; children: ReactNode; className?: string }) {
  return (
    <label className={`flex min-w-0 flex-col gap-1.5 ${className}`}>
      <span className="text-sm font-medium text-dim">{label}</span>
      {children}
    </label>
  );
}

export function Input({ className = "", ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={`${controlClass} ${className}`} {...rest} />;
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  /** Smaller, for panel headers. */
  compact?: boolean;
}

export function Select({ className = "", compact, children, ...rest }: SelectProps) {
  return (
    <div className={`relative min-w-0 ${className}`}>
      <select className={`${controlClass} cursor-pointer appearance-none truncate pr-9 ${compact ? "!h-9 !text-sm" : ""}`} {...rest}>
        {children}
      </select>
      <svg
        className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-dim"
        viewBox="0 0 20 20"
        fill="none"
        aria-hidden
      >
        <path d="M5.5 7.5 10 12l4.5-4.5" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      </svg>
    </div>
  );
}
