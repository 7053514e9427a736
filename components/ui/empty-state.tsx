import type { ReactNode } from "react";

export function EmptyState({ title, hint, icon }: { title: ReactNode; hint?: ReactNode; icon?: ReactNode }) {
  return (
    <div className="flex h-full flex-col items-center justify-center gap-2 px-6 text-center">
      {icon && <div className="mb-1 text-faint">{icon}</div>}
      <div className="text-lg font-medium text-dim">{title}</div>
      {hint && <div className="max-w-md text-sm text-faint">{hint}</div>}
    </div>
  );
}
