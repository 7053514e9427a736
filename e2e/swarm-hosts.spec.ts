import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import type { ClusterDTO } from "../lib/contracts/http-replies";
import { type ServerHandle, startServer, waitFor } from "../tests/integration/harness";
import { type ExtraHost, availability, findExtraHost, imageOnEveryHost } from "../tests/hosts/helpers";
import { docker, randomId, removeStackLeftovers, repoRoot } from "../tests/swarm/helpers";

// Two Docker hosts in one Swarm, in the browser: deploy 6 from the UI, see two host groups (each
// with its host's state) and the links that cross them, kill a replica on the worker from the
// node details. Needs an extra host (scripts/swarm-hosts.sh up 1); skipped with a message without
// one, unless CI=true. The screenshot is the README's (docs/swarm-two-hosts.png).

const onCI = process.env.CI === "true";
const stack = randomId("sse2eh");
let worker: ExtraHost | null = null;
let before = "";
let s: ServerHandle | null = null;
let why = "not probed";

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const found = await findExtraHost();
  if (!found.ok) {
    why = found.reason;
    if (onCI) throw new Error(`CI=true and no extra Swarm host: ${found.reason}`);
    console.warn(`[swarm hosts e2e] skipped: ${found.reason} (set CI=true to make this a failure)`);
    return;
  }
  worker = found.host;
  await imageOnEveryHost(stack);
  s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack } });
  await waitFor("the bridge up", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.bridge.status === "up", 300_000, 250);
  before = availability(worker.id);
  expect((await s.api("PUT", `/api/hosts/${worker.id}`, { availability: "active" })).status).toBe(200);
});

test.afterAll(async () => {
  if (!s) return;
  await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
  await waitFor("removed", async () => (await s!.api<ClusterDTO>("GET", "/api/cluster")).body.nodes.length === 0, 60_000).catch(() => {});
  await s.stop();
  fs.rmSync(s.dataDir, { recursive: true, force: true });
  await removeStackLeftovers(stack, [`${stack}_cookie`]);
  if (worker && before && before !== "active") docker(["node", "update", "--availability", before, worker.id]);
});

test("two hosts: deploy 6 from the UI, two host groups with their state, links across them, kill on the worker", async ({ page }) => {
  test.skip(!s && !onCI, `no extra Swarm host: ${why}`);
  test.setTimeout(300_000);
  const server = s!;
  const w = worker!;
  await page.goto(`${server.url}/?token=${server.token}`);
  await expect(page.getByTestId("bridge-status")).toContainText(/up/i, { timeout: 30_000 });

  await page.getByTestId("replicas-input").fill("6");
  const clickedAt = Date.now();
  await page.getByTestId("deploy-button").click();
  await page.waitForFunction(
    () => [1, 2, 3, 4, 5, 6].every((i) => document.querySelector(`[data-testid="node-n${i}"]`)?.getAttribute("data-status") === "up"),
    undefined,
    { timeout: 120_000, polling: 20 },
  );
  console.log(`[measure] two hosts (UI): Deploy click → all 6 up in the graph: ${Date.now() - clickedAt} ms`);

  // One group per Swarm node, each saying the host's state; the worker's group by its hostname.
  const regions = page.getByTestId("host-region");
  await expect(regions).toHaveCount(2);
  const workerRegion = page.locator(`[data-testid="host-region"][data-host-id="${w.id}"]`);
  await expect(workerRegion).toHaveAttribute("data-host", w.hostname);
  await expect(workerRegion.getByTestId("host-state")).toContainText(/Ready · worker · engine \d+/);
  await expect(page.locator('[data-testid="host-region"][data-state="ready"]').getByTestId("host-state").filter({ hasText: "manager" })).toHaveCount(1);
  // Fully meshed: 15 links, those between the two groups drawn apart.
  await expect(page.getByTestId("link-layer")).toHaveAttribute("data-links", "15", { timeout: 30_000 });
  const cluster = (await server.api<ClusterDTO>("GET", "/api/cluster")).body;
  const onWorker = cluster.nodes.filter((n) => n.replica?.hostId === w.id).length;
  expect(onWorker).toBeGreaterThan(0);
  await expect(page.getByTestId("link-layer")).toHaveAttribute("data-cross-links", String(onWorker * (6 - onWorker)));
  await expect(page.getByTestId("topology")).toContainText("link across hosts");

  // A message from the manager's group to the worker's: acked, its latency half the round trip.
  const from = cluster.nodes.find((n) => n.replica?.hostId !== w.id)!;
  const to = cluster.nodes.find((n) => n.replica?.hostId === w.id)!;
  expect((await server.api("POST", "/api/messages", { from: from.name, to: to.name, content: "across the hosts" })).status).toBe(202);
  const row = page.getByTestId("timeline-row").filter({ hasText: "across the hosts" }).first();
  await expect(row).toHaveAttribute("data-status", "acked", { timeout: 20_000 });
  await expect(row.locator("[data-latency-kind]")).toHaveAttribute("data-latency-kind", "half-rtt");

  await page.waitForTimeout(800);
  const shot = path.join(repoRoot, "docs", "swarm-two-hosts.png");
  await page.screenshot({ path: shot });
  console.log(`[two hosts e2e] screenshot: ${shot}`);

  // Kill a replica on the worker from its details: down in the graph (the kill goes through the agent there).
  const victim = cluster.nodes.find((n) => n.replica?.hostId === w.id)!;
  const short = `n${victim.slot}`;
  await page.getByTestId(`node-${short}`).click();
  await page.getByTestId("kill-button").click();
  const killedAt = Date.now();
  await page.getByTestId("confirm-ok").click(); // Kill asks first
  await page.waitForFunction(
    (name) => document.querySelector(`[data-name="${name}"]`)?.getAttribute("data-status") === "down",
    victim.name,
    { timeout: 20_000, polling: 10 },
  );
  console.log(`[measure] two hosts (UI): kill on the worker → down in the graph: ${Date.now() - killedAt} ms`);
  // Swarm's replacement task in the same slot: a new node, up.
  await page.waitForFunction(
    ({ testId, old }) =>
      [...document.querySelectorAll(`[data-testid="${testId}"]`)].some((e) => e.getAttribute("data-status") === "up" && e.getAttribute("data-name") !== old),
    { testId: `node-${short}`, old: victim.name },
    { timeout: 90_000, polling: 50 },
  );
});
