import { createServer } from "node:http";
import next from "next";
import { Swarmscope } from "./app";
import { loadConfig } from "./config";
import { attachEdge } from "./edge";
import { attachHub } from "./hub";
import { loadIdentity } from "./identity";
import { createLogger } from "./log";
import { trace } from "./trace";
import { refuseUndecodablePath } from "./url-guard";

const log = createLogger("server");
const { config, identity } = checkedStart();
const app = new Swarmscope(config, identity);
const credentials = { control: config.token, view: config.viewToken };
attachEdge(app, credentials, { controlRate: config.controlRate });

const nextApp = next({ dev: config.dev, hostname: config.host, port: config.port, dir: config.repoRoot });
const handler = nextApp.getRequestHandler();

await nextApp.prepare();
const httpServer = createServer((req, res) => {
  if (config.trace && req.method === "POST") trace("req", `${req.method} ${req.url}`);
  if (!refuseUndecodablePath(req, res)) void handler(req, res);
});
const hub = attachHub(httpServer, app, credentials);
await app.start();

httpServer.listen(config.port, config.host, () => {
  log.info(`runtime ${config.runtime}, data ${config.dataDir}, deployment ${identity.deploymentId}`);
  process.stdout.write(startBanner(config));
});

/** The configuration and the data folder's identity, or a clear message and exit 1 (bad variable, unsafe mode). */
function checkedStart() {
  try {
    const config = loadConfig();
    return { config, identity: loadIdentity(config.dataDir) };
  } catch (err) {
    process.stderr.write(`\nSwarmscope cannot start: ${(err as Error).message}\n\n`);
    process.exit(1);
  }
}

/**
 * The URLs to open. A generated control token is shown once, in the URL, as Jupyter does; one the
 * user set is never printed (it is theirs, and logs are read by others). The audience link carries
 * the read-only token.
 */
function startBanner(c: typeof config): string {
  const base = `http://${c.host}:${c.port}/`;
  const control = c.tokenGenerated ? `${base}?token=${encodeURIComponent(c.token)}` : `${base}  (control token: your SWARMSCOPE_TOKEN)`;
  return `\nSwarmscope is running: ${control}\nAudience (read-only): ${base}?view=${encodeURIComponent(c.viewToken)}\n\n`;
}

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
// `kill <npm's pid>` ends npm without passing the signal on (measured with npm 11): the server,
// orphaned, would keep the replicas running with no one holding it. Started by npm, it stops when
// its parent is gone (a server started by hand, or daemonized on purpose, is left alone).
if (config.underNpm) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown("npm exited");
  }, 1000).unref();
}
