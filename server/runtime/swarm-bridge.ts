import type { Duplex } from "node:stream";
import { PassThrough, Writable } from "node:stream";
import type Dockerode from "dockerode";
import type { Logger } from "../log";
import { DockerStreamDemuxer } from "./swarm-demux";
import { tarFiles } from "./swarm-tar";
import type { BridgeTransport } from "./types";

export interface BridgeContainerOptions {
  docker: Dockerode;
  name: string; // container name
  image: string;
  network: string; // the stack's attachable overlay network
  env: string[];
  labels: Record<string, string>;
  cookie: string;
  log: Logger;
}

/**
 * The bridge as a plain container on the stack's overlay network, its stdin/stdout reached
 * through the attach API: created, given the cookie (copied into the container, never in its
 * environment or command), attached, then started, so that no output is missed. stdin is closed
 * once we detach (StdinOnce), so the bridge ends with the dashboard.
 */
export async function startBridgeContainer(o: BridgeContainerOptions): Promise<BridgeTransport> {
  await removeIfPresent(o.docker, o.name, o.log);
  const container = await o.docker.createContainer({
    name: o.name,
    Image: o.image,
    Cmd: ["bridge"],
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
    await container.putArchive(tarFiles([{ name: ".erlang.cookie", data: Buffer.from(o.cookie), mode: 0o400 }]), {
      path: "/root",
    });
    const sock = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as Duplex;
    const transport = wire(o, container, sock);
    await container.start();
    o.log.info(`bridge container ${o.name} (${container.id.slice(0, 12)}) started in ${Date.now() - started} ms`);
    return transport;
  } catch (err) {
    await container.remove({ force: true }).catch(() => {});
    throw err;
  }
}

function wire(o: BridgeContainerOptions, container: Dockerode.Container, sock: Duplex): BridgeTransport {
  const output = new PassThrough();
  const stderrTail: string[] = [];
  let stderrRest = "";
  const demux = new DockerStreamDemuxer(
    (d) => output.write(d),
    (d) => {
      const lines = (stderrRest + d.toString("utf8")).split("\n");
      stderrRest = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.trim()) continue;
        o.log.debug(`bridge: ${line}`);
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      }
    },
    (err) => {
      o.log.error(`bridge attach stream: ${err.message}`);
      sock.destroy();
    },
  );
  sock.on("data", (chunk: Buffer) => demux.push(chunk));
  sock.on("error", (err) => o.log.debug(`bridge attach socket: ${err.message}`));
  sock.on("close", () => output.end());

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
  const exited: Promise<string> = container
    .wait({ condition: "next-exit" })
    .then((r: { StatusCode?: number }) => `exit code ${r.StatusCode ?? "?"}`)
    .catch((err: Error) => `container gone: ${err.message}`)
    .then(async (reason) => {
      const tail = stderrTail.slice(-3).join(" | ");
      o.log.info(`bridge container ${o.name} ended (${reason})${tail ? `: ${tail}` : ""}`);
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
    log.info(`removed a stale bridge container ${name}`);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
}
