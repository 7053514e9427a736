"use client";

import { useLayoutEffect, useState } from "react";

/**
 * The root font size in px, read after mount and on every resize (the presenter view's root
 * grows with the window): for sizes drawn in px (SVG text, virtual rows) that follow the type.
 * 16 until mounted, or when not `active`.
 */
export function useRootPx(active = true): number {
  const [px, setPx] = useState(16);
  useLayoutEffect(() => {
    if (!active) return;
    const read = () => setPx(parseFloat(getComputedStyle(document.documentElement).fontSize) || 16);
    read();
    window.addEventListener("resize", read);
    return () => window.removeEventListener("resize", read);
  }, [active]);
  return active ? px : 16;
}
