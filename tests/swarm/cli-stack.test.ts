// A stack deployed by hand, with the commands of stack/README.md, is found and driven by the
// Swarm runtime. Skipped (with a message) when no Docker engine is reachable, unless CI=true.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmRuntime } from "../../server/runtime/swarm";
import {
  BridgeSession,
  docker,
  ensureErlangBuilt,
  eventually,
  measure,
  newRuntime,
  swarmGate,
  randomCookie,
  randomId,
  removeStackLeftovers,
  repoRoot,
  running,
  saveMeasurements,
} from "./helpers";

const { probe, skip } = await swarmGate();

const STACK = "sscli";
const SECRET = `${STACK}_cookie`;

describe.skipIf(skip)("a stack deployed with the docker CLI from stack/docker-stack.yml", () => {
  const cookie = randomCookie();
  const cliDeployment = randomId("c");
  let rt: SwarmRuntime;
  let bridge: BridgeSession | null = null;
  let cliImage = "";
  const state = () => ({ replicas: rt?.list(), bridge: bridge?.summary() });

  beforeAll(async () => {
    if (!probe.ok) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    ensureErlangBuilt();
    await removeStackLeftovers(STACK, [SECRET]);
    const t0 = Date.now();
    // stack/README.md, step by step
    execFileSync("bash", [path.join(repoRoot, "stack", "base-image.sh")], { stdio: "inherit" });
    cliImage = docker(["build", "-q", "--build-arg", "BASE=swarmscope-base:bookworm", "-f", "stack/Dockerfile", "-t", "swarmscope-node:latest", repoRoot]);
    measure("CLI: base image check + docker build", Date.now() - t0);
    docker(["secret", "create", SECRET, "-"], cookie);
    execFileSync("docker", ["stack", "deploy", "-c", path.join(repoRoot, "stack", "docker-stack.yml"), STACK], {
      env: { ...process.env, SWARMSCOPE_DEPLOYMENT: cliDeployment, SWARMSCOPE_COOKIE_SECRET: SECRET },
      stdio: "pipe",
    });
    // the dashboard's own deployment id differs: it must take the node name from the service
    rt = newRuntime({ stack: STACK, deploymentId: randomId("d"), cookie });
  });

  afterAll(async () => {
    if (!probe.ok) return;
    await bridge?.transport.kill();
    await rt?.close();
    saveMeasurements(path.join(repoRoot, "test-results", "swarm-cli-timings.json"));
    try {
      docker(["stack", "rm", STACK]);
    } catch {
      /* absent */
    }
    await removeStackLeftovers(STACK, [SECRET]);
    // The runtime re-tags :latest to its own build of the same code: drop the CLI's untagged copy
    // once the stack's exited containers are gone.
    for (let i = 0; cliImage && i < 20; i++) {
      try {
        if (docker(["image", "inspect", "-f", "{{len .RepoTags}}", cliImage]) !== "0") break;
        docker(["rmi", cliImage]);
        break;
      } catch (err) {
        if (/No such image/i.test(String((err as { stderr?: string }).stderr ?? err))) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });

  it("is listed by docker stack ls and found by the runtime: 5 running tasks with node names", async () => {
    expect(docker(["stack", "ls", "--format", "{{.Name}}"]).split("\n")).toContain(STACK);
    await eventually(() => running(rt.list()).length === 5, 90_000, "5 running tasks", state);
    expect(rt.desired()).toBe(5);
    for (const r of running(rt.list())) expect(r.nodeName).toBe(`n-${cliDeployment}@${r.ip}`);
    expect(rt.discovery()).toEqual({ t: "discover", mode: "dns", query: `tasks.${STACK}_node`, name: `n-${cliDeployment}` });
  });

  it("its nodes (addresses found through tasks.<service> DNS) all join the bridge", async () => {
    const t0 = Date.now();
    bridge = new BridgeSession(await rt.openBridge());
    await eventually(() => bridge!.find((f) => f.t === "hello"), 30_000, "hello", state);
    bridge.send(rt.discovery());
    const nodes = running(rt.list()).map((r) => r.nodeName!);
    await eventually(() => nodes.every((n) => bridge!.upNodes().has(n)), 30_000, "nodeup for all 5", state);
    measure("CLI stack: bridge open → all 5 nodeup", Date.now() - t0);
    await eventually(() => bridge!.fullMesh(nodes), 30_000, "a full mesh", () => [...bridge!.links()]);
  });

  it("its host agent (the stack file's global `agent` service) is reached by the runtime's relay", async () => {
    const t0 = Date.now();
    await eventually(() => rt.hosts().some((h) => h.self && h.agent === "up"), 60_000, "the agent on this host up", () => rt.hosts());
    measure("CLI stack: bridge open → the host agent reachable", Date.now() - t0);
    expect(docker(["service", "inspect", "-f", "{{.Spec.Mode.Global}}", `${STACK}_agent`])).not.toBe("<nil>");
  });

  it("is scaled by the runtime without replacing its image, secret or running tasks", async () => {
    const before = running(rt.list());
    const image = docker(["service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${STACK}_node`]);
    await rt.scale(3);
    await eventually(() => rt.list().length === 3 && bridge!.upNodes().size === 3, 60_000, "3 tasks, 3 nodes up", state);
    expect(docker(["service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${STACK}_node`])).toBe(image);
    expect(docker(["service", "inspect", "-f", "{{(index .Spec.TaskTemplate.ContainerSpec.Secrets 0).SecretName}}", `${STACK}_node`])).toBe(SECRET);
    const kept = running(rt.list()).map((r) => r.id);
    expect(kept).toEqual(before.filter((r) => r.slot <= 3).map((r) => r.id));
  });
});
