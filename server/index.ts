import { createServer } from "node:http";
import next from "next";
import { Swarmscope } from "./app";
import { loadConfig } from "./config";
import { attachEdge } from "./edge";
import { attachHub } from "./hub";
import { loadIdentity } from "./identity";
import { createLogger } from "./log";

const log = createLogger("server");
const config = loadConfig();
const identity = loadIdentity(config.dataDir);
const app = new Swarmscope(config, identity);
attachEdge(app, config.token);

const nextApp = next({ dev: config.dev, hostname: config.host, port: config.port, dir: config.repoRoot });
const handler = nextApp.getRequestHandler();

await nextApp.prepare();
const httpServer = createServer((req, res) => void handler(req, res));
const hub = attachHub(httpServer, app, config.token);
await app.start();

httpServer.listen(config.port, config.host, () => {
  const url = `http://${config.host}:${config.port}/?token=${encodeURIComponent(config.token)}`;
  log.info(`runtime ${config.runtime}, data ${config.dataDir}, deployment ${identity.deploymentId}`);
  // The token is shown once, in the URL to open, as Jupyter does; it is not logged elsewhere.
  process.stdout.write(`\nSwarmscope is running: ${url}\n\n`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: stopping`);
  setTimeout(() => process.exit(1), 8000).unref(); // never hang on the way out
  await hub.close();
  await app.close();
  httpServer.closeAllConnections();
  httpServer.close();
  process.exit(0);
}
// A graceful stop stops the local replicas too (they run detached, so that a crash leaves them
// for the next start to reattach): Ctrl-C, `kill`, and a closed terminal (SIGHUP) alike.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(signal));
