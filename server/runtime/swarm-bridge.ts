import type { Duplex } from "node:stream";
import { PassThrough, Writable } from "node:stream";
import type Dockerode from "dockerode";
import type { Logger } from "../log";
import { eachLine, keepLast } from "./lines";
import { type DockerClients, dockerStatus } from "./swarm-docker";
import type { BridgeTransport } from "./types";

export interface OverlayServiceOptions {
  docker: DockerClients;
  /** What runs: the bridge, or the relay (the way to the host agents); the entrypoint's role. */
  role: "bridge" | "relay";
  name: string; // service name
  image: string;
  networkId: string; // the stack's overlay network (not attachable: only services join it)
  env: string[];
  labels: Record<string, string>;
  /** The stack's cookie secret, mounted where the entrypoint reads it (as the replicas have it). */
  secret: Dockerode.SecretReference;
  log: Logger;
  /** How long the task may take to run (ms). */
  startTimeoutMs?: number;
}

/**
 * The bridge (or the relay) as a one-replica service on the stack's overlay network, pinned to
 * this engine's Swarm node, its stdin/stdout reached by attaching to the task's container. A
 * service rather than a plain container because only services may join an overlay that is not
 * attachable, and an attachable one would let any container on any Swarm host join the replicas'
 * network. The cookie comes from the stack's Docker secret: never in the environment or on a
 * command line. Attached with `logs`, so nothing it said before the attach is missed. Removing
 * the service stops it; so does its exit (restart policy none: the caller starts a new one).
 */
export async function startOverlayService(o: OverlayServiceOptions): Promise<BridgeTransport> {
  await removeIfPresent(o.docker.api, o.name, o.log);
  const nodeId = ((await o.docker.api.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID;
  if (!nodeId) throw new Error(`this Docker engine is not a Swarm node: the ${o.role} cannot run as a service`);
  const started = Date.now();
  const svc = (await o.docker.api.createService({
    Name: o.name,
    Labels: o.labels,
    TaskTemplate: {
      ContainerSpec: { Image: o.image, Args: [o.role], Env: o.env, Labels: o.labels, OpenStdin: true, Secrets: [o.secret] },
      Placement: { Constraints: [`node.id==${nodeId}`] },
      RestartPolicy: { Condition: "none" },
      Networks: [{ Target: o.networkId }],
    },
    Mode: { Replicated: { Replicas: 1 } },
  })) as { id?: string; ID?: string };
  const serviceId = svc.id ?? svc.ID ?? o.name;
  const service = o.docker.api.getService(serviceId);
  try {
    const containerId = await runningContainer(o, serviceId, started + (o.startTimeoutMs ?? 60_000));
    const sock = (await o.docker.streams
      .getContainer(containerId)
      .attach({ stream: true, logs: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    o.log.info(`${o.role} service ${o.name} (container ${containerId.slice(0, 12)}) running and attached in ${Date.now() - started} ms`);
    return wire(o, containerId, service, sock);
  } catch (err) {
    await service.remove().catch(() => {});
    throw err;
  }
}

/** The container of the service's task once it runs; a failed task fails with Docker's words. */
async function runningContainer(o: OverlayServiceOptions, serviceId: string, deadline: number): Promise<string> {
  for (;;) {
    const tasks = (await o.docker.api.listTasks({ filters: { service: [serviceId] } })) as Array<{
      Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
    }>;
    const t = tasks[0];
    const state = t?.Status?.State ?? "new";
    const id = t?.Status?.ContainerStatus?.ContainerID;
    if (state === "running" && id) return id;
    if (["failed", "rejected", "complete", "shutdown", "orphaned"].includes(state)) {
      throw new Error(`${o.role} task ${state}${t?.Status?.Err ? `: ${t.Status.Err}` : ""}`);
    }
    if (Date.now() > deadline) throw new Error(`${o.role} task still ${state} after ${Math.round((o.startTimeoutMs ?? 60_000) / 1000)} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function wire(o: OverlayServiceOptions, containerId: string, service: Dockerode.Service, sock: Duplex): BridgeTransport {
  // The attach stream multiplexes stdout (the frames) and stderr (log lines): docker-modem splits them.
  const output = new PassThrough();
  const stderr = new PassThrough();
  const stderrTail: string[] = [];
  o.docker.streams.modem.demuxStream(sock, output, stderr);
  eachLine(stderr, (line) => {
    o.log.debug(`${o.role}: ${line}`);
    keepLast(stderrTail, line, 20);
  });
  sock.on("error", (err) => o.log.debug(`${o.role} attach socket: ${err.message}`));
  sock.on("close", () => {
    output.end();
    stderr.end();
  });

  const input = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (sock.destroyed || !sock.writable) return cb(); // the container is gone: onExit tells
      sock.write(chunk, () => cb());
    },
    final(cb) {
      if (!sock.destroyed) sock.end();
      cb();
    },
  });

  // "not-running": the container runs already, and one that ended before this call answers at once.
  const waited = o.docker.streams
    .getContainer(containerId)
    .wait({ condition: "not-running" })
    .then((r: { StatusCode?: number }) => `exit code ${r.StatusCode ?? "?"}`)
    .catch((err: Error) => `container gone: ${err.message}`);
  // The attach connection gone is the end too: if the engine itself went away, the wait above may
  // never answer. (A moment's grace first: on a normal exit the wait's answer follows at once.)
  const detached = new Promise<string>((resolve) => sock.once("close", () => setTimeout(() => resolve("attach connection closed"), 500).unref()));
  const exited: Promise<string> = Promise.race([waited, detached]).then(async (reason) => {
    const tail = stderrTail.slice(-3).join(" | ");
    o.log.info(`${o.role} service ${o.name} ended (${reason})${tail ? `: ${tail}` : ""}`);
    sock.destroy();
    await service.remove().catch(() => {}); // no finished task left behind (a new dashboard removes it by name otherwise)
    return tail ? `${reason}: ${tail}` : reason;
  });

  return {
    input,
    output,
    onExit: (cb) => void exited.then(cb),
    kill: async () => {
      await service.remove().catch(() => {});
      await exited;
    },
  };
}

/**
 * A service of that name left by an earlier dashboard (waiting, a while, for its task to stop: no
 * two bridges at once), or a container of an older one (before these were services).
 */
async function removeIfPresent(docker: Dockerode, name: string, log: Logger): Promise<void> {
  for (const [what, remove] of [
    ["service", () => docker.getService(name).remove()],
    ["container", () => docker.getContainer(name).remove({ force: true })],
  ] as const) {
    try {
      await remove();
      log.info(`removed a stale ${what} ${name}`);
      if (what === "service") await stopped(docker, name, log);
    } catch (err) {
      if (dockerStatus(err) !== 404) throw err;
    }
  }
}

async function stopped(docker: Dockerode, service: string, log: Logger, waitMs = 15_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (await serviceContainer(docker, service)) {
    if (Date.now() > deadline) return log.warn(`the task of the removed service ${service} still runs after ${waitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The running container of a service's task on this engine, with its address on `network` (when given and it has one). */
export async function serviceContainer(docker: Dockerode, service: string, network?: string): Promise<{ id: string; ip: string | null } | null> {
  const list = await docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${service}`], status: ["running"] } });
  const c = list[0];
  return c ? { id: c.Id, ip: (network && c.NetworkSettings?.Networks?.[network]?.IPAddress) || null } : null;
}
