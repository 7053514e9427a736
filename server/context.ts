import type { Swarmscope } from "./app";

// Next.js bundles route handlers apart from the custom server's modules, so the one running
// instance is handed over through globalThis. Route handlers import only this file (and types).
const KEY = Symbol.for("swarmscope.app");

interface Holder {
  app: Swarmscope;
  token: string;
}

export function setContext(h: Holder): void {
  (globalThis as Record<symbol, unknown>)[KEY] = h;
}

export function getContext(): Holder {
  const h = (globalThis as Record<symbol, unknown>)[KEY] as Holder | undefined;
  if (!h) throw new Error("Swarmscope is not running in this process (start it with npm start)");
  return h;
}
