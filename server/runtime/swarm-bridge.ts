import type { Duplex } from "node:stream";
import { PassThrough, Writable } from "node:stream";
import type Dockerode from "dockerode";
import type { Logger } from "../log";
import { eachLine, keepLast } from "./lines";
import { type DockerClients, dockerStatus } from "./swarm-docker";
import { tarOf } from "./swarm-image";
import type { BridgeTransport } from "./types";

export interface BridgeContainerOptions {
  docker: DockerClients;
  /** What runs: "bridge" (default) or "relay" (the way to the host agents); the entrypoint's role. */
  role?: "bridge" | "relay";
  name: string; // container name
  image: string;
  network: string; // the stack's attachable overlay network
  env: string[];
  labels: Record<string, string>;
  cookie: string;
  log: Logger;
}

/**
 * The bridge (or the relay) as a plain container on the stack's overlay network, its stdin/stdout
 * reached through the attach API: created, given the cookie (copied into the container, never in
 * its environment or command), attached, then started, so that no output is missed. stdin is
 * closed once we detach (StdinOnce), so the bridge ends with the dashboard.
 */
export async function startBridgeContainer(o: BridgeContainerOptions): Promise<BridgeTransport> {
  const role = o.role ?? "bridge";
  await removeIfPresent(o.docker.api, o.name, o.log);
  const container = await o.docker.api.createContainer({
    name: o.name,
    Image: o.image,
    Cmd: [role],
    Env: o.env,
    Labels: o.labels,
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: o.network },
  });
  const started = Date.now();
  try {
    await container.putArchive(tarOf([{ name: ".erlang.cookie", data: Buffer.from(o.cookie), mode: 0o400 }]), { path: "/root" });
    // attach stays open as long as the bridge runs: through the client without a deadline
    const sock = (await o.docker.streams.getContainer(container.id).attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as Duplex;
    const transport = wire(o, container, sock);
    await container.start();
    o.log.info(`${role} container ${o.name} (${container.id.slice(0, 12)}) started in ${Date.now() - started} ms`);
    return transport;
  } catch (err) {
    await container.remove({ force: true }).catch(() => {});
    throw err;
  }
}

function wire(o: BridgeContainerOptions, container: Dockerode.Container, sock: Duplex): BridgeTransport {
  // The attach stream multiplexes stdout (the frames) and stderr (log lines): docker-modem splits them.
  const output = new PassThrough();
  const stderr = new PassThrough();
  const stderrTail: string[] = [];
  o.docker.streams.modem.demuxStream(sock, output, stderr);
  eachLine(stderr, (line) => {
    o.log.debug(`${o.role ?? "bridge"}: ${line}`);
    keepLast(stderrTail, line, 20);
  });
  sock.on("error", (err) => o.log.debug(`${o.role ?? "bridge"} attach socket: ${err.message}`));
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

  // Registered before start: "next-exit" (the default would answer at once for a created container).
  const waited = o.docker.streams
    .getContainer(container.id)
    .wait({ condition: "next-exit" })
    .then((r: { StatusCode?: number }) => `exit code ${r.StatusCode ?? "?"}`)
    .catch((err: Error) => `container gone: ${err.message}`);
  // The attach connection gone is the end too: stdin closed (StdinOnce), the process ends with it,
  // and if the engine itself went away the wait above may never answer.
  // (A moment's grace first: on a normal exit the wait's answer, with the exit code, follows at once.)
  const detached = new Promise<string>((resolve) => sock.once("close", () => setTimeout(() => resolve("attach connection closed"), 500).unref()));
  const exited: Promise<string> = Promise.race([waited, detached])
    .then(async (reason) => {
      const tail = stderrTail.slice(-3).join(" | ");
      o.log.info(`${o.role ?? "bridge"} container ${o.name} ended (${reason})${tail ? `: ${tail}` : ""}`);
      sock.destroy();
      await container.remove({ force: true }).catch(() => {}); // it would block `docker stack rm`
      return tail ? `${reason}: ${tail}` : reason;
    });

  return {
    input,
    output,
    onExit: (cb) => void exited.then(cb),
    kill: async () => {
      await container.remove({ force: true }).catch(() => {});
      await exited;
    },
  };
}

async function removeIfPresent(docker: Dockerode, name: string, log: Logger): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true });
    log.info(`removed a stale container ${name}`);
  } catch (err) {
    if (dockerStatus(err) !== 404) throw err;
  }
}
