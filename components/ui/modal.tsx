"use client";

import { useEffect, useRef, type ReactNode } from "react";

interface ModalProps {
  onClose: () => void;
  labelledBy: string;
  role?: "dialog" | "alertdialog";
  testId: string;
  className?: string;
  children: ReactNode;
}

/** A centred card over a dimmed page; Esc or a click outside closes it; focus moves into it. */
export function Modal({ onClose, labelledBy, role = "dialog", testId, className = "", children }: ModalProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>("[data-autofocus]") ?? box.current;
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      before?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="fixed inset-0 z-[60] grid animate-fade-in place-items-center bg-[#03060b]/75 p-6 backdrop-blur-sm" onPointerDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        role={role}
        aria-modal="true"
        aria-labelledby={labelledBy}
        tabIndex={-1}
        data-testid={testId}
        className={`w-full rounded-3xl border border-edge-strong bg-panel shadow-[0_30px_80px_-20px_rgb(0_0_0/0.9)] outline-none ${className}`}
      >
        {children}
      </div>
    </div>
  );
}
