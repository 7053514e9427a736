import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import type { Logger } from "../log";
import { eachLine } from "./lines";

/** One event from GET /events (the fields the runtime reads). */
export interface DockerEvent {
  Type?: string; // container, service, node, network, secret, ...
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

export interface EventWatcher {
  close(): void;
  /** Reconnects now if the stream is down and waiting to retry (the engine is back). */
  kick(): void;
}

/**
 * Follows the Docker events stream (service, container and node events: Docker 20.10 has no
 * task events; task state changes show up as container and service events), parsing one JSON
 * object per line (whole across chunks), and reconnects with a growing delay when the stream ends.
 */
export function watchEvents(
  docker: Dockerode,
  onEvent: (ev: DockerEvent) => void,
  log: Logger,
  onConnected: () => void = () => {},
): EventWatcher {
  let closed = false;
  let stream: NodeJS.ReadableStream | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = 500;

  const again = (why: string) => {
    stream = null;
    if (closed) return;
    log.debug(`docker events: ${why}; reconnecting in ${delay} ms`);
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 10_000);
  };

  function connect(): void {
    timer = null;
    if (closed) return;
    docker
      .getEvents({ filters: { type: ["service", "container", "node"] } })
      .then((s) => {
        if (closed) {
          destroy(s);
          return;
        }
        stream = s;
        delay = 500;
        onConnected();
        eachLine(s as Readable, (line) => {
          try {
            onEvent(JSON.parse(line) as DockerEvent);
          } catch {
            log.warn(`docker events: not JSON: ${line.slice(0, 120)}`);
          }
        });
        let ended = false;
        const end = (why: string) => {
          if (ended) return;
          ended = true;
          again(why);
        };
        s.on("error", (err: Error) => end(`stream error: ${err.message}`));
        s.on("end", () => end("stream ended"));
        s.on("close", () => end("stream closed"));
      })
      .catch((err: Error) => again(`cannot subscribe: ${err.message}`));
  }

  connect();
  return {
    kick() {
      if (!timer || closed) return;
      clearTimeout(timer);
      delay = 500;
      connect();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (stream) destroy(stream);
    },
  };
}

function destroy(s: NodeJS.ReadableStream): void {
  const d = s as NodeJS.ReadableStream & { destroy?: () => void };
  d.destroy?.();
}
