// A dashboard (the real server, runtime swarm) on a Swarm with an extra host, for the two-host
// suites: started with its own stack, the extra host made active for the suite and put back as it
// was after, and the waits the suites share.
import fs from "node:fs";
import path from "node:path";
import type { ClusterDTO, HostDTO, MessageDTO } from "../../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "../integration/harness";
import { docker, ensureErlangBuilt, randomId, removeStackLeftovers, repoRoot } from "../swarm/helpers";
import { type ExtraHost, availability, imageOnEveryHost } from "./helpers";

export class TwoHostCluster {
  readonly stack = randomId("sshost");
  s!: ServerHandle;
  manager = "";
  private before = "";

  constructor(readonly worker: ExtraHost) {}

  async start(): Promise<void> {
    ensureErlangBuilt();
    await imageOnEveryHost(this.stack);
    this.s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: this.stack } });
    await this.until("the bridge to be up", async () => (await this.cluster()).bridge.status === "up", 300_000, 250);
    this.before = availability(this.worker.id);
    // The extra host takes tasks during this suite (CI keeps it paused for the single-host suites).
    const r = await this.s.api<{ host: HostDTO }>("PUT", `/api/hosts/${this.worker.id}`, { availability: "active" });
    if (r.status !== 200) throw new Error(`PUT /api/hosts/${this.worker.id}: ${r.status} ${JSON.stringify(r.body)}`);
    this.manager = (await this.hosts()).find((h) => h.self)!.id;
  }

  async stop(): Promise<void> {
    if (this.s) {
      await this.keepLog();
      await this.s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
      await waitFor("the replicas removed", async () => (await this.cluster()).nodes.length === 0, 60_000).catch(() => {});
      await this.s.stop();
      fs.rmSync(this.s.dataDir, { recursive: true, force: true });
    }
    await removeStackLeftovers(this.stack, [`${this.stack}_cookie`]);
    if (this.before && this.before !== "active") docker(["node", "update", "--availability", this.before, this.worker.id]);
  }

  /** The dashboard's events, the server's log and Swarm's task list, for reading after a failure. */
  private async keepLog(): Promise<void> {
    try {
      const ev = (await this.s.api<{ events: { at: number; kind: string; text: string }[] }>("GET", "/api/events?limit=2000")).body.events;
      const tasks = docker(["service", "ps", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}", `${this.stack}_node`]);
      const text = [...ev.reverse().map((e) => `${new Date(e.at).toISOString()} ${e.kind} ${e.text}`), "", tasks, "", this.s.output.join("")].join("\n");
      fs.mkdirSync(path.join(repoRoot, "test-results"), { recursive: true });
      fs.writeFileSync(path.join(repoRoot, "test-results", `hosts-${this.stack}.log`), text);
    } catch {
      /* only a report */
    }
  }

  cluster = async () => (await this.s.api<ClusterDTO>("GET", "/api/cluster")).body;
  hosts = async () => (await this.s.api<{ hosts: HostDTO[] }>("GET", "/api/hosts")).body.hosts;
  message = async (id: string) => (await this.s.api<MessageDTO>("GET", `/api/messages/${id}`)).body;

  /** n nodes, all up, each linked to all the others. */
  async mesh(n: number): Promise<ClusterDTO | undefined> {
    const c = await this.cluster();
    if (c.nodes.length !== n || c.nodes.some((x) => x.status !== "up")) return undefined;
    const names = c.nodes.map((x) => x.name).sort();
    return c.nodes.every((x) => JSON.stringify([...x.links, x.name].sort()) === JSON.stringify(names)) ? c : undefined;
  }

  /** waitFor that says what the cluster and the hosts looked like when it gives up. */
  async until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
    try {
      return await waitFor(what, fn, timeoutMs, everyMs);
    } catch (err) {
      const c = await this.cluster().catch(() => null);
      const brief = c?.nodes.map((n) => `${n.slot}:${n.status}:${n.replica?.state ?? "-"}@${n.host}:${n.links.length}`).join(" ");
      const hosts = c?.hosts.map((h) => `${h.hostname}:${h.state}:${h.availability}:agent ${h.agent}`).join(" ");
      throw new Error(`${(err as Error).message}\ncluster: ${brief}\nhosts: ${hosts}\nserver log tail: ${this.s.output.join("").slice(-3000)}`);
    }
  }

  /** Sends one message and waits for its ack. */
  async acked(from: string, to: string, content: string): Promise<MessageDTO> {
    const r = await this.s.api<{ ids: string[] }>("POST", "/api/messages", { from, to, content });
    if (r.status !== 202) throw new Error(`send ${from} → ${to}: ${r.status} ${JSON.stringify(r.body)}`);
    return this.until(`the ack of ${content}`, async () => {
      const m = await this.message(r.body.ids[0]!);
      return m.status === "acked" ? m : undefined;
    }, 15_000, 20);
  }
}

export function measure(what: string, ms: number | string): void {
  console.log(`[measure] two hosts: ${what}: ${typeof ms === "number" ? `${ms} ms` : ms}`);
}
