import { spawn } from "node:child_process";
import type { Logger } from "../log";
import { eachLine } from "./lines";
import { bridgeArgs } from "./local-args";
import type { BridgeTransport } from "./types";

export interface LocalBridgeOptions {
  nodeName: string;
  ebin: string;
  tickMs: number;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/**
 * The bridge as a child process whose stdin and stdout carry the frames. Unlike the replicas it
 * is not detached: it halts when its stdin closes, so it never outlives the server that reads it.
 */
export function spawnLocalBridge(o: LocalBridgeOptions): BridgeTransport {
  const proc = spawn("erl", bridgeArgs({ nodeName: o.nodeName, ebin: o.ebin, tickMs: o.tickMs }), { env: o.env, stdio: ["pipe", "pipe", "pipe"] });
  eachLine(proc.stderr!, (line) => o.log.debug(`bridge: ${line}`));
  const exited = new Promise<string>((resolve) => {
    proc.on("error", (err) => resolve(`could not run erl: ${err.message}`));
    proc.on("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
  });
  return {
    input: proc.stdin!,
    output: proc.stdout!,
    onExit: (cb) => void exited.then(cb),
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}
