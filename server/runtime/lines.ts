import readline from "node:readline";
import type { Readable } from "node:stream";

/**
 * Calls `onLine` with every non-blank line of a text stream (a process's stdout, a container's
 * stderr), whole wherever the chunks happen to be cut. Errors of the stream stay its owner's
 * business: they only end the lines.
 */
export function eachLine(input: Readable, onLine: (line: string) => void): readline.Interface {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (line.trim()) onLine(line);
  });
  rl.on("error", () => rl.close());
  return rl;
}

/** Appends `item`, dropping the oldest so that at most `max` are kept (the tail of a log). */
export function keepLast<T>(items: T[], item: T, max: number): void {
  items.push(item);
  if (items.length > max) items.splice(0, items.length - max);
}
