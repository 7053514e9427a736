import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type Dockerode from "dockerode";
import tar from "tar-stream";
import { childEnvironment } from "../child-env";
import type { Logger } from "../log";
import { eachLine, keepLast } from "./lines";
import { type DockerClients, dockerStatus } from "./swarm-docker";

export const NODE_IMAGE_REPO = "swarmscope-node";
/** Made offline by stack/base-image.sh (debootstrap + docker import): no registry needed. */
export const LOCAL_BASE_IMAGE = "swarmscope-base:bookworm";

/** Modules only `npm run bench` uses: kept out of the node image. */
const NOT_IN_IMAGE = /_bench\.beam$/;

/** One file of the build context. */
export interface TarEntry {
  name: string; // relative path with "/" separators
  data: Buffer;
  mode?: number; // default 0o644
}

export interface ImageDeps {
  docker: DockerClients;
  repoRoot: string;
  baseImage: string;
  /** Environment of stack/base-image.sh (config.toolEnv: no secret); default: an empty one but PATH. */
  env?: NodeJS.ProcessEnv;
  log: Logger;
  progress: (phase: string) => void;
}

/** What the Dockerfile copies: stack/Dockerfile, stack/entrypoint.sh and erlang/ebin/* (bench modules aside). */
export async function buildContext(repoRoot: string): Promise<TarEntry[]> {
  const ebin = path.join(repoRoot, "erlang", "ebin");
  let names: string[] = [];
  try {
    names = (await fs.readdir(ebin)).filter((n) => (n.endsWith(".beam") || n.endsWith(".app")) && !NOT_IN_IMAGE.test(n)).sort();
  } catch {
    /* reported below */
  }
  if (!names.some((n) => n.endsWith(".beam"))) {
    throw new Error(`${ebin} has no compiled Erlang modules: run \`npm run build:erlang\` first`);
  }
  const entries: TarEntry[] = [
    { name: "stack/Dockerfile", data: await fs.readFile(path.join(repoRoot, "stack", "Dockerfile")) },
    { name: "stack/entrypoint.sh", data: await fs.readFile(path.join(repoRoot, "stack", "entrypoint.sh")), mode: 0o755 },
  ];
  for (const n of names) entries.push({ name: `erlang/ebin/${n}`, data: await fs.readFile(path.join(ebin, n)) });
  return entries;
}

/** `swarmscope-node:<hash of the context and base>`: a rebuild happens only when the code changed. */
export function imageTag(entries: TarEntry[], baseImage: string): string {
  const h = createHash("sha256");
  h.update(`base ${baseImage}\n`);
  for (const e of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(`${e.name} ${e.mode ?? 0o644} ${e.data.length}\n`);
    h.update(e.data);
  }
  return `${NODE_IMAGE_REPO}:${h.digest("hex").slice(0, 12)}`;
}

export async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (dockerStatus(err) === 404) return false;
    throw err;
  }
}

/** Files as a tar stream: the build context, or what PUT /containers/{id}/archive copies in. */
export function tarOf(entries: TarEntry[]): Readable {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, mode: e.mode ?? 0o644 }, e.data);
  pack.finalize();
  return Readable.from(pack); // tar-stream's streams are streamx ones; dockerode pipes a Node stream
}

/** Builds the node image when missing (and the local base image before it); returns its tag. */
export async function ensureNodeImage(deps: ImageDeps): Promise<string> {
  const entries = await buildContext(deps.repoRoot);
  const tag = imageTag(entries, deps.baseImage);
  if (await imageExists(deps.docker.api, tag)) {
    await tagLatest(deps, tag);
    return tag;
  }

  if (deps.baseImage === LOCAL_BASE_IMAGE && !(await imageExists(deps.docker.api, deps.baseImage))) {
    await buildBaseImage(deps);
  }
  const started = Date.now();
  deps.progress(`building image ${tag}`);
  deps.log.info(`building image ${tag} from ${deps.baseImage}`);
  // a build streams its progress for as long as it takes: through the client without a deadline
  const stream = await deps.docker.streams.buildImage(tarOf(entries), {
    t: tag,
    dockerfile: "stack/Dockerfile",
    buildargs: { BASE: deps.baseImage },
    rm: true,
    forcerm: true,
  });
  await followBuild(deps, stream);
  deps.log.info(`built ${tag} in ${Date.now() - started} ms`);
  await tagLatest(deps, tag);
  await pruneOldImages(deps, tag);
  return tag;
}

/** Untags builds of older code; one still used by a container (a task not yet updated) stays. */
async function pruneOldImages(deps: ImageDeps, keep: string): Promise<void> {
  const images = await deps.docker.api.listImages({ filters: { reference: [NODE_IMAGE_REPO] } });
  for (const img of images) {
    for (const t of img.RepoTags ?? []) {
      if (t === keep || t === `${NODE_IMAGE_REPO}:latest` || !t.startsWith(`${NODE_IMAGE_REPO}:`)) continue;
      try {
        await deps.docker.api.getImage(t).remove();
        deps.log.debug(`removed the old image ${t}`);
      } catch {
        /* in use: kept */
      }
    }
  }
}

/** `swarmscope-node:latest` (what stack/docker-stack.yml runs) follows the code the dashboard uses. */
async function tagLatest(deps: ImageDeps, tag: string): Promise<void> {
  const latest = `${NODE_IMAGE_REPO}:latest`;
  const [a, b] = await Promise.all([
    deps.docker.api.getImage(tag).inspect(),
    deps.docker.api.getImage(latest).inspect().catch(() => null),
  ]);
  if (b && a.Id === b.Id) return;
  await deps.docker.api.getImage(tag).tag({ repo: NODE_IMAGE_REPO, tag: "latest" });
  deps.log.info(`tagged ${tag} as ${latest}`);
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

function followBuild(deps: ImageDeps, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | null = null;
    deps.docker.streams.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err);
        else if (failure) reject(new Error(`image build failed: ${failure}`));
        else resolve();
      },
      (ev: BuildEvent) => {
        if (ev.error || ev.errorDetail) {
          failure = ev.errorDetail?.message ?? ev.error ?? "unknown error";
          return;
        }
        const text = (ev.stream ?? ev.status ?? "").trim();
        for (const line of text.split("\n")) {
          if (!line.trim()) continue;
          deps.log.debug(`build: ${line}`);
          if (line.startsWith("Step ") || line.startsWith("Successfully")) deps.progress(`build: ${line}`);
        }
      },
    );
  });
}

/** Runs stack/base-image.sh (debootstrap + docker import, about a minute); its lines are progress. */
function buildBaseImage(deps: ImageDeps): Promise<void> {
  const script = path.join(deps.repoRoot, "stack", "base-image.sh");
  deps.progress(`building base image ${deps.baseImage} (debootstrap, about a minute)`);
  deps.log.info(`base image ${deps.baseImage} missing: running ${script}`);
  return new Promise((resolve, reject) => {
    const env = deps.env ?? childEnvironment({ PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" });
    const proc = spawn("bash", [script, deps.baseImage], { env, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const onLine = (line: string) => {
      keepLast(tail, line, 10);
      deps.log.debug(line);
      deps.progress(line.replace(/^\[base-image\]\s*/, "base image: "));
    };
    eachLine(proc.stdout, onLine);
    eachLine(proc.stderr, onLine);
    proc.on("error", (err) => reject(new Error(`could not run ${script}: ${err.message}`)));
    proc.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`base image build failed (exit ${code}): ${tail.slice(-3).join(" | ")}`));
    });
  });
}
