// Helpers for the two-host tests: the extra Swarm host made by scripts/swarm-hosts.sh, and the
// gate every suite starts with (skipped with a message without one, a failure on CI).
import { execFileSync } from "node:child_process";
import path from "node:path";
import type { ClusterDTO, HostDTO } from "../../lib/contracts/http-replies";
import { docker, newRuntime, onCI, probeSwarm, repoRoot } from "../swarm/helpers";

/** An extra host: its Swarm node, and its own engine's socket. */
export interface ExtraHost {
  id: string;
  hostname: string;
  socket: string;
  index: number;
}

/** Swarm's node list as the CLI gives it. */
function swarmNodes(): Array<{ id: string; hostname: string; status: string; availability: string }> {
  return docker(["node", "ls", "--format", "{{.ID}} {{.Hostname}} {{.Status}} {{.Availability}}"])
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [id = "", hostname = "", status = "", availability = ""] = l.split(" ");
      return { id, hostname, status, availability };
    });
}

/** The first extra host that is Ready, or why there is none. */
export async function findExtraHost(): Promise<{ ok: true; host: ExtraHost } | { ok: false; reason: string }> {
  const probe = await probeSwarm();
  if (!probe.ok) return probe;
  const extra = swarmNodes().find((n) => /^swarmscope-host\d+$/.test(n.hostname) && n.status === "Ready");
  if (!extra) return { ok: false, reason: "no extra Swarm host: run `bash scripts/swarm-hosts.sh up 1` (as root)" };
  const index = Number(extra.hostname.replace("swarmscope-host", ""));
  return { ok: true, host: { id: extra.id, hostname: extra.hostname, socket: `unix:///run/swarmscope-host${index}/docker.sock`, index } };
}

/** The gate: skip (saying why) without an extra host, except on CI where the suite then fails. */
export async function hostsGate() {
  const found = await findExtraHost();
  const skip = !found.ok && !onCI;
  if (skip) console.warn(`[hosts tests] skipped: ${found.ok ? "" : found.reason} (set CI=true to make this a failure)`);
  return { found, skip };
}

/** Swarm's availability of a node now (active, pause, drain). */
export function availability(id: string): string {
  return docker(["node", "inspect", "-f", "{{.Spec.Availability}}", id]);
}

/**
 * The node image of the current code on the main engine (built when missing), then on every extra
 * host (scripts/swarm-hosts.sh images: Swarm runs exactly the tag the service names, no registry).
 */
export async function imageOnEveryHost(stack: string): Promise<string> {
  const rt = newRuntime({ stack });
  try {
    const tag = await rt.prepare();
    execFileSync("bash", [path.join(repoRoot, "scripts", "swarm-hosts.sh"), "images"], { stdio: "inherit" });
    return tag;
  } finally {
    await rt.close();
  }
}

/** `docker` against an extra host's own engine. */
export function dockerOn(host: ExtraHost, args: string[]): string {
  return docker(["-H", host.socket, ...args]);
}

export function swarmHosts(args: string[]): void {
  execFileSync("bash", [path.join(repoRoot, "scripts", "swarm-hosts.sh"), ...args], { stdio: "inherit" });
}

/** The cluster's nodes on one host (by Swarm node id). */
export function nodesOn(c: ClusterDTO, hostId: string) {
  return c.nodes.filter((n) => n.replica?.hostId === hostId);
}

export function hostById(hosts: HostDTO[], id: string): HostDTO | undefined {
  return hosts.find((h) => h.id === id);
}

/** Nearest-rank percentile of ms values, printed with 2 decimals. */
export function pct(values: number[], p: number): string {
  const s = [...values].sort((a, b) => a - b);
  const v = s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return v === undefined ? "n/a" : v.toFixed(2);
}
