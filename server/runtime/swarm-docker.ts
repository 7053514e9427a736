import Dockerode from "dockerode";
import { ConflictError, NotFoundError, UnavailableError } from "../errors";

/** How long a Docker API call may take before it fails ("the engine did not answer"). */
export const DOCKER_TIMEOUT_MS = 10_000;

type Modem = Dockerode["modem"];
type DialOptions = Parameters<Modem["dial"]>[0];
type DialCallback = NonNullable<Parameters<Modem["dial"]>[1]>;

/**
 * One Docker engine, two clients. `api` is for the calls Docker answers at once (list, inspect,
 * create, kill, ...): each gets a deadline, so a hung dockerd fails them with a clear error
 * instead of piling them up. `streams` has no deadline: the events stream, attach, wait and image
 * builds stay open as long as they need (their liveness is their owner's business).
 */
export interface DockerClients {
  api: Dockerode;
  streams: Dockerode;
}

/** `docker` (default: DOCKER_HOST or /var/run/docker.sock) as the streams client, and an API client beside it. */
export function dockerClients(docker: Dockerode = new Dockerode(), timeoutMs = DOCKER_TIMEOUT_MS): DockerClients {
  const api = new Dockerode();
  api.modem = withDeadline(docker.modem, timeoutMs);
  return { api, streams: docker };
}

/**
 * The same modem (connection, version, helpers) whose non-streaming requests carry an abort
 * signal that fires after `ms` (docker-modem honours `abortSignal` per request); an aborted
 * request fails with an UnavailableError that says so. Streams and hijacked connections are left
 * alone even here, since their response outlives any deadline.
 */
export function withDeadline(modem: Modem, ms: number): Modem {
  const timed = Object.create(modem) as Modem;
  timed.dial = (options: DialOptions, callback?: DialCallback) => {
    if (options.isStream || options.hijack || options.abortSignal || !callback) return modem.dial(options, callback);
    const signal = AbortSignal.timeout(ms);
    modem.dial({ ...options, abortSignal: signal }, (err, result) => {
      callback(err && signal.aborted ? timeoutError(options, ms) : err, result);
    });
  };
  return timed;
}

function timeoutError(options: DialOptions, ms: number): UnavailableError {
  const call = `${options.method ?? "GET"} ${options.path.replace(/\?$/, "")}`;
  return new UnavailableError(`the Docker engine did not answer ${call} within ${ms / 1000} s`);
}

/** Docker's HTTP status on a failed call, when it answered. */
export function dockerStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

/**
 * A Docker failure the user caused, as the error the HTTP edge maps: Docker's 404 (no such
 * container, service, task) becomes a NotFoundError and its 409 (conflict: not running, in use)
 * a ConflictError, with the caller's words; anything else is returned unchanged.
 */
export function userFacingDockerError(err: unknown, words: { notFound: string; conflict: string }): unknown {
  const status = dockerStatus(err);
  if (status === 404) return new NotFoundError(words.notFound);
  if (status === 409) return new ConflictError(words.conflict);
  return err;
}
