import type { ReactNode } from "react";

interface PanelProps {
  title: ReactNode;
  /** Small text after the title (a count, a hint). */
  meta?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  bodyClassName?: string;
  testId?: string;
}

/** A titled card; the body fills the remaining height and clips (children scroll inside). */
export function Panel({ title, meta, actions, children, className = "", bodyClassName = "", testId }: PanelProps) {
  return (
    <section
      data-testid={testId}
      className={`flex min-h-0 min-w-0 flex-col rounded-2xl border border-edge bg-panel shadow-[0_1px_0_0_rgb(255_255_255/0.03)_inset,0_12px_32px_-16px_rgb(0_0_0/0.8)] ${className}`}
    >
      <header className="flex min-h-12 items-center gap-3 border-b border-edge px-4 py-2">
        <h2 className="text-[0.8rem] font-semibold tracking-[0.14em] text-dim uppercase">{title}</h2>
        {meta != null && <span className="truncate text-sm text-faint">{meta}</span>}
        {actions != null && <div className="ml-auto flex shrink-0 items-center gap-2">{actions}</div>}
      </header>
      <div className={`relative min-h-0 flex-1 ${bodyClassName}`}>{children}</div>
    </section>
  );
}
