import path from "node:path";
import type { RuntimeKind } from "../../lib/contracts/common";
import type { Config } from "../config";
import type { Identity } from "../identity";
import { createLogger } from "../log";
import { LocalRuntime } from "./local";
import type { Runtime } from "./types";

/** The runtime of that kind for this deployment; Swarm's (and dockerode) is loaded only when asked for. */
export async function createRuntime(kind: RuntimeKind, config: Config, identity: Identity): Promise<Runtime> {
  if (kind === "local") {
    const local = new LocalRuntime({
      deploymentId: identity.deploymentId,
      erlangHome: identity.erlangHome,
      ebin: path.join(config.repoRoot, "erlang", "ebin"),
      env: config.childEnv,
      dataDir: config.dataDir,
      tickMs: config.tickMs,
      log: createLogger("local"),
    });
    local.resume(); // replicas an earlier server left running are reattached, the missing started
    return local;
  }
  const { SwarmRuntime } = await import("./swarm");
  return new SwarmRuntime({
    deploymentId: identity.deploymentId,
    stack: config.stack,
    cookie: identity.cookie,
    repoRoot: config.repoRoot,
    tickMs: config.tickMs,
    advertiseAddr: config.swarmAdvertise,
    overlayEncrypted: config.overlayEncrypted,
    env: config.toolEnv,
    log: createLogger("swarm"),
  });
}
