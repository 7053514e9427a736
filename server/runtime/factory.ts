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
    return new LocalRuntime({
      deploymentId: identity.deploymentId,
      erlangHome: identity.erlangHome,
      ebin: path.join(config.repoRoot, "erlang", "ebin"),
      env: config.childEnv,
      log: createLogger("local"),
    });
  }
  const { SwarmRuntime } = await import("./swarm");
  return new SwarmRuntime({
    deploymentId: identity.deploymentId,
    stack: config.stack,
    cookie: identity.cookie,
    repoRoot: config.repoRoot,
    advertiseAddr: config.swarmAdvertise,
    overlayEncrypted: config.overlayEncrypted,
    env: config.toolEnv,
    log: createLogger("swarm"),
  });
}
