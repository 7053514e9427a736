import type Dockerode from "dockerode";
import { UnavailableError } from "../errors";
import type { Logger } from "../log";
import type { RuntimeStatus } from "./types";

type ErrorWithCode = Error & { code?: string };

/** Since when the engine has not answered (null: it answers); kept by the caller between checks. */
export interface Reachability {
  since: number | null;
}

/**
 * Whether this engine can run the stack: reachable, in swarm mode, and a manager. An engine that
 * does not answer is "unreachable since" its first failed check, until one succeeds again.
 */
export async function engineStatus(docker: Dockerode, reach: Reachability = { since: null }, now = Date.now): Promise<RuntimeStatus> {
  try {
    await docker.ping();
  } catch (err) {
    const since = (reach.since ??= now());
    const at = new Date(since).toISOString().slice(11, 19);
    return { ready: false, problem: `Docker engine unreachable since ${at} UTC: ${engineProblem(docker, err as ErrorWithCode)}`, since };
  }
  reach.since = null;
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  const state = info.Swarm?.LocalNodeState ?? "unknown";
  if (state !== "active") {
    return {
      ready: false,
      problem: `the Docker engine is not in swarm mode (state: ${state}); initialise it with \`docker swarm init\``,
      canInit: state === "inactive",
    };
  }
  if (!info.Swarm?.ControlAvailable) {
    return { ready: false, problem: "this Docker engine is a swarm worker: point the dashboard at a swarm manager" };
  }
  return { ready: true };
}

/** Where `docker swarm init` listens and what it advertises: the address asked for, else loopback only. */
export function swarmInitAddresses(advertiseAddr: string | undefined): { ListenAddr: string; AdvertiseAddr: string } {
  const addr = advertiseAddr ?? "127.0.0.1";
  return { ListenAddr: `${addr.includes(":") && !addr.startsWith("[") ? `[${addr}]` : addr}:2377`, AdvertiseAddr: addr };
}

/**
 * `docker swarm init`, listening and advertising on 127.0.0.1 (no other machine can join or reach
 * the manager's port 2377) unless the user set SWARMSCOPE_SWARM_ADVERTISE to an address or
 * interface the other hosts share.
 */
export async function initSwarm(docker: Dockerode, advertiseAddr: string | undefined, log: Logger): Promise<void> {
  const addrs = swarmInitAddresses(advertiseAddr);
  log.info(`docker swarm init --listen-addr ${addrs.ListenAddr} --advertise-addr ${addrs.AdvertiseAddr}`);
  await docker.swarmInit(addrs);
}

function engineProblem(docker: Dockerode, err: ErrorWithCode): string {
  const modem = docker.modem as unknown as { socketPath?: unknown; host?: string };
  const where = typeof modem.socketPath === "string" ? modem.socketPath : (modem.host ?? "DOCKER_HOST");
  if (err.code === "EACCES" || err.code === "EPERM") {
    return `no permission on the Docker socket ${where}: run the dashboard as root or add its user to the docker group`;
  }
  if (err.code === "ENOENT" || err.code === "ECONNREFUSED") {
    return `no Docker engine at ${where}: start dockerd (scripts/start-docker.sh does it) or set DOCKER_HOST`;
  }
  if (err instanceof UnavailableError) return err.message.replace("the Docker engine", `the Docker engine at ${where}`);
  return `the Docker engine at ${where} does not answer: ${err.message}`;
}
