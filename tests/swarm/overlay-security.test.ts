// Swarm defaults of issue 11, on the real engine: the stack's overlay is not attachable (a
// container started by hand cannot join it), the bridge and the relay are one-replica services of
// the stack, the overlay is encrypted when SWARMSCOPE_OVERLAY_ENCRYPTED=1, and no container's
// environment or command holds the token or the cookie (the replicas, the agent, the bridge and
// the relay). Measures send → received latency on a plain and an encrypted overlay (same host).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDTO, MessageDTO } from "../../lib/contracts/http-replies";
import { percentile, startServer, waitFor } from "../integration/harness";
import { docker, ensureErlangBuilt, randomId, removeStackLeftovers, swarmGate } from "./helpers";

const { skip } = await swarmGate();
const SAMPLES = 200;
const results: string[] = [];

interface Inspected {
  Config: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
  Args?: string[];
}

/** Every running container of the stack, on this engine and on the extra hosts of scripts/swarm-hosts.sh. */
function stackContainers(stack: string): Inspected[] {
  const extra = docker(["node", "ls", "--format", "{{.Hostname}} {{.Status}}"]).split("\n").filter((l) => /^swarmscope-host\d+ Ready$/.test(l));
  const engines = [[], ...extra.map((l) => ["-H", `unix:///run/${l.split(" ")[0]}/docker.sock`])];
  return engines.flatMap((h) => {
    const ids = docker([...h, "ps", "-q", "--filter", `label=com.docker.stack.namespace=${stack}`]).split("\n").filter(Boolean);
    return ids.length ? (JSON.parse(docker([...h, "inspect", ...ids])) as Inspected[]) : [];
  });
}

/** The encrypted overlay's iptables rules for VXLAN id `vni` (filter INPUT and mangle OUTPUT). */
function encryptionRules(vni: number): [string, string][] {
  const match = `=0x${(vni << 8).toString(16)}"`;
  return ["filter", "mangle"].flatMap((table) =>
    execFileSync("iptables", ["-t", table, "-S"], { encoding: "utf8" })
      .split("\n")
      .filter((r) => r.includes("--dport 4789") && r.includes(match))
      .map((r): [string, string] => [table, r]),
  );
}

/**
 * Docker 20.10 leaves an encrypted overlay's iptables rules behind when the network is removed
 * (drop its VXLAN id unless IPsec; mark it for IPsec). A later network given the same id would lose
 * all its traffic between hosts: removed here, for this id only.
 */
function dropLeakedEncryptionRules(vni: number): void {
  const left = encryptionRules(vni);
  for (const [table, rule] of left) execFileSync("sh", ["-c", `iptables -t ${table} ${rule.replace(/^-A /, "-D ")}`]);
  console.log(`[measure] encrypted overlay (VXLAN id ${vni}) removed: Docker left ${left.length} iptables rules, removed by the test`);
  expect(encryptionRules(vni)).toEqual([]);
}

async function deployAndMeasure(encrypted: boolean): Promise<number[]> {
  const stack = randomId(encrypted ? "sssecx" : "sssec");
  let vni = 0;
  const s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack, SWARMSCOPE_OVERLAY_ENCRYPTED: encrypted ? "1" : "0" } });
  const cluster = async () => (await s.api<ClusterDTO>("GET", "/api/cluster")).body;
  try {
    await waitFor("the bridge up", async () => (await cluster()).bridge.status === "up", 540_000, 250);
    expect((await s.api("PUT", "/api/cluster", { replicas: 2 })).status).toBe(202);
    const c = await waitFor("2 nodes up and linked", async () => {
      const c = await cluster();
      return c.nodes.length === 2 && c.nodes.every((n) => n.status === "up" && n.links.length === 1) ? c : undefined;
    }, 120_000, 100);

    // The network: overlay, not attachable, encrypted as asked; a hand-started container is refused.
    const net = JSON.parse(docker(["network", "inspect", `${stack}_net`]))[0] as { Attachable: boolean; Options?: Record<string, string> };
    expect(net.Attachable).toBe(false);
    vni = Number(net.Options?.["com.docker.network.driver.overlay.vxlanid_list"] ?? 0);
    expect("encrypted" in (net.Options ?? {})).toBe(encrypted);
    expect(() => docker(["run", "--rm", "--network", `${stack}_net`, "swarmscope-base:bookworm", "true"])).toThrow(/not manually attachable/);

    // The bridge and the relay: services of the stack (so `docker stack rm` takes them too), beside the nodes and agents.
    const dep = c.deploymentId;
    const services = [`${stack}_agent`, `${stack}_bridge-${dep}`, `${stack}_node`, `${stack}_relay-${dep}`];
    const stackServices = () => docker(["stack", "services", stack, "--format", "{{.Name}}"]).split("\n").sort();
    await waitFor("the relay's service", async () => JSON.stringify(stackServices()) === JSON.stringify(services), 60_000, 250);
    expect(stackServices()).toEqual(services);

    // No secret in any container of the stack, on any engine (replicas, agents, bridge, relay): environment, command, labels.
    const cookie = fs.readFileSync(path.join(s.dataDir, "cookie"), "utf8").trim();
    const containers = () => stackContainers(stack);
    const all = await waitFor("both replicas, the bridge, the relay and an agent", async () => {
      const cs = containers();
      const roles = cs.map((ci) => ci.Config.Labels?.["swarmscope.role"] ?? "node");
      return ["bridge", "relay", "agent"].every((r) => roles.includes(r)) && roles.filter((r) => r === "node").length === 2 ? cs : undefined;
    }, 60_000, 250);
    for (const ci of all) {
      const seen = JSON.stringify([ci.Config.Env, ci.Config.Cmd, ci.Config.Entrypoint, ci.Args, ci.Config.Labels]);
      expect(seen.includes(s.token), "the control token in a container").toBe(false);
      expect(seen.includes(cookie), "the cookie in a container").toBe(false);
    }

    const [a, b] = c.nodes.map((n) => n.name);
    const ids2: string[] = [];
    for (let i = 0; i < SAMPLES; i++) ids2.push(...(await s.api<{ ids: string[] }>("POST", "/api/messages", { from: a, to: b, content: `lat ${i}` })).body.ids);
    const lat = await waitFor(`${SAMPLES} receptions`, async () => {
      const ms = (await s.api<{ messages: MessageDTO[] }>("GET", `/api/messages?limit=${SAMPLES * 2}`)).body.messages.filter((m) => ids2.includes(m.id));
      return ms.length === SAMPLES && ms.every((m) => m.status === "acked") ? ms.map((m) => m.latencyMs!) : undefined;
    }, 60_000);
    return lat.sort((x, y) => x - y);
  } finally {
    await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
    await s.stop();
    await removeStackLeftovers(stack, [`${stack}_cookie`]);
    fs.rmSync(s.dataDir, { recursive: true, force: true });
    if (encrypted && vni) dropLeakedEncryptionRules(vni);
  }
}

describe.skipIf(skip)("Swarm: a closed overlay, the bridge and relay as services, no secret in a container", () => {
  ensureErlangBuilt();
  afterAll(() => results.forEach((r) => console.log(r)));

  for (const encrypted of [false, true]) {
    it(`${encrypted ? "encrypted" : "plain"} overlay: not attachable, no secret in a container; latency measured`, async () => {
      const lat = await deployAndMeasure(encrypted);
      const line = `[measure] swarm ${encrypted ? "encrypted" : "plain"} overlay, same host: send → received over ${SAMPLES} messages: p50 ${percentile(lat, 50).toFixed(3)} ms, p99 ${percentile(lat, 99).toFixed(3)} ms`;
      results.push(line);
      console.log(line);
      expect(lat.every((l) => l >= 0)).toBe(true);
    });
  }
});
