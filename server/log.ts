// A tiny logger: one line per event on stderr, with a timestamp. Never given the cookie or token.
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(scope: string): Logger {
  const line = (level: string, msg: string) =>
    process.stderr.write(`${new Date().toISOString()} ${level} [${scope}] ${msg}\n`);
  return {
    // Debug lines are dropped: nothing turns them on (the runtimes' chatter: build output, Docker events).
    debug: () => undefined,
    info: (m) => line("info", m),
    warn: (m) => line("warn", m),
    error: (m) => line("error", m),
  };
}
