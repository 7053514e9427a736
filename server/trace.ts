// Debug-only hop timestamps (SWARMSCOPE_TRACE=1): where a message's milliseconds go between the
// POST and the browser. One line per hop on stderr, `[trace] <hop> <epoch ms, µs precision> <detail>`,
// on the same clock as the page's performance.timeOrigin + now() and the replicas' stamps.
// Off by default; then the callers skip it entirely.

export const clockMs = (): number => performance.timeOrigin + performance.now();

export function trace(hop: string, detail: string, at = clockMs()): void {
  process.stderr.write(`[trace] ${hop} ${at.toFixed(3)} ${detail}\n`);
}
