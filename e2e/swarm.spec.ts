import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { type ServerHandle, startServer, waitFor } from "../tests/integration/harness";
import { probeSwarm, randomId, removeStackLeftovers } from "../tests/swarm/helpers";

// Deploy on Docker Swarm from the browser, send from the browser, see the reception. The config's
// webServer runs the local runtime, so this test starts its own server (SWARMSCOPE_RUNTIME=swarm,
// its own stack name and data folder). Skipped (with a message) when no Docker engine is
// reachable, unless CI=true. The screenshot is kept under test-results/.

const onCI = process.env.CI === "true";
const stack = randomId("sse2e");
let probe: Awaited<ReturnType<typeof probeSwarm>> = { ok: false, reason: "not probed" };
let s: ServerHandle | null = null;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(600_000); // the first run on a machine builds the node image
  probe = await probeSwarm();
  if (!probe.ok) {
    if (onCI) throw new Error(`CI=true and no usable Docker Swarm: ${probe.reason} (run scripts/start-docker.sh)`);
    console.warn(`[swarm e2e] skipped: ${probe.reason} (set CI=true to make this a failure)`);
    return;
  }
  s = await startServer({ env: { SWARMSCOPE_RUNTIME: "swarm", SWARMSCOPE_STACK: stack } });
  await waitFor(
    "the bridge container to be up",
    async () => (await s!.api("GET", "/api/cluster")).body?.bridge?.status === "up",
    540_000,
    250,
  );
});

test.afterAll(async () => {
  if (!s) return;
  await s.api("PUT", "/api/cluster", { replicas: 0 }).catch(() => {});
  await s.stop();
  fs.rmSync(s.dataDir, { recursive: true, force: true });
  await removeStackLeftovers(stack, [`${stack}_cookie`]);
});

test("Swarm: deploy 3 replicas from the UI, send from the UI, see the reception live", async ({ page }, testInfo) => {
  test.skip(!probe.ok && !onCI, `no usable Docker Swarm: ${probe.ok ? "" : probe.reason}`);
  test.setTimeout(300_000);
  const server = s!;
  await page.goto(`${server.url}/?token=${server.token}`);
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByTestId("runtime")).toHaveText(/swarm/i);
  await expect(page.getByTestId("bridge-status")).toContainText(/up/i, { timeout: 30_000 });
  await expect(page.getByTestId("runtime-problem")).toHaveCount(0);

  await page.getByTestId("replicas-input").fill("3");
  await page.getByTestId("deploy-button").click();
  // The progress view follows the tasks as Swarm reports them, then the nodes joining.
  await expect(page.getByTestId("progress")).toBeVisible({ timeout: 15_000 });
  for (const n of ["n1", "n2", "n3"]) {
    await expect(page.getByTestId(`node-${n}`)).toHaveAttribute("data-status", "up", { timeout: 120_000 });
  }
  await expect(page.getByTestId("progress")).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  // Three distinct nodes, one per slot, each an n-<deployment>@<overlay IP> with its task.
  const names = await Promise.all(["n1", "n2", "n3"].map((n) => page.getByTestId(`node-${n}`).getAttribute("data-name")));
  expect(new Set(names).size).toBe(3);
  for (const name of names) expect(name).toMatch(/^n-[a-z0-9]+@\d+\.\d+\.\d+\.\d+$/);
  await expect(page.getByTestId("replica-n2").getByTestId("replica-task")).toContainText(/task \w{12} · ctr [0-9a-f]{12}/);

  // Node details: slot, task, container and overlay IP of the replica.
  await page.getByTestId("node-n2").click();
  const details = page.getByTestId("node-details-body");
  await expect(details).toHaveAttribute("data-node", names[1]!);
  for (const label of ["Slot", "Task", "Container", "IP"]) await expect(details).toContainText(label);

  await page.getByTestId("send-from").selectOption({ label: await optionLabel(page, "send-from", "n1") });
  await page.getByTestId("send-to").selectOption({ label: await optionLabel(page, "send-to", "n2") });
  await page.getByTestId("send-content").fill("hello over the overlay");
  await page.getByTestId("send-button").click();

  const row = page.getByTestId("timeline-row").filter({ hasText: "hello over the overlay" }).first();
  await expect(row).toHaveAttribute("data-status", "acked", { timeout: 20_000 });
  await expect(row).toContainText("n1");
  await expect(row).toContainText("n2");

  // The API agrees with the page: sent by n1's node, received by n2's.
  const id = await row.getAttribute("data-id");
  const m = (await server.api("GET", `/api/messages/${id}`)).body;
  expect(m).toMatchObject({ status: "acked", content: "hello over the overlay", from: names[0], to: names[1] });

  await page.waitForTimeout(600);
  await page.screenshot({ path: testInfo.outputPath("swarm-dashboard.png") });

  await page.getByTestId("remove-button").click();
  await page.getByTestId("confirm-ok").click(); // Remove all asks first
  await expect(page.getByTestId("node-n1")).toHaveCount(0, { timeout: 60_000 });
});

async function optionLabel(page: import("@playwright/test").Page, select: string, short: string): Promise<string> {
  const labels = await page.getByTestId(select).locator("option").allTextContents();
  const label = labels.find((l) => l.trim() === short || l.trim().startsWith(`${short} `));
  if (!label) throw new Error(`no option for ${short} in ${select}: ${labels.join(", ")}`);
  return label;
}
