// How the hub paces its pushes: at once while quiet, spaced out under churn.

/**
 * Runs `fn` at the end of the event loop's turn after `schedule()` (once for all calls until
 * then): up to `burst` runs in a row, then one per `everyMs`, and never sooner than `gap()` ms
 * after the last run.
 */
export function pacer(burst: number, everyMs: number, gap: () => number, fn: () => void) {
  let tokens = burst;
  let at = Date.now();
  let last = 0;
  let pending: { cancel: () => void } | null = null;
  const run = () => {
    pending = null;
    last = Date.now();
    tokens -= 1;
    fn();
  };
  return {
    pending: () => pending !== null,
    schedule: () => {
      if (pending) return;
      const now = Date.now();
      tokens = Math.min(burst, tokens + (now - at) / everyMs);
      at = now;
      const wait = Math.max((1 - tokens) * everyMs, last + gap() - now);
      if (wait > 0) {
        const t = setTimeout(run, wait);
        pending = { cancel: () => clearTimeout(t) };
      } else {
        const i = setImmediate(run);
        pending = { cancel: () => clearImmediate(i) };
      }
    },
    cancel: () => {
      pending?.cancel();
      pending = null;
    },
  };
}
