import { expect, test } from "@playwright/test";
import type { FaultDTO } from "../lib/contracts/fault-replies";
import type { ClusterDTO } from "../lib/contracts/http-replies";

const token = "e2e-token-0123456789";
const view = "e2e-view-token-9876543210";
const control = { authorization: `Bearer ${token}` };

// Faults from the dashboard: freeze and thaw from a node's details, a partition picked by
// shift-clicking nodes in the graph, the measured detection shown in the Faults panel; a scenario's
// captions stepped with the keyboard in the presenter view; and no fault control for a viewer.
test("freeze, thaw and a shift-click partition from the dashboard, with measured detection; captions by keyboard", async ({ page, request }) => {
  expect((await request.put("/api/cluster", { headers: control, data: { replicas: 3 } })).status()).toBe(202);
  await expect
    .poll(async () => ((await (await request.get("/api/cluster", { headers: control })).json()) as ClusterDTO).nodes.filter((n) => n.status === "up" && n.links.length === 2).length, { timeout: 60_000 })
    .toBe(3);
  await page.goto(`/?token=${token}`);
  await expect(page.getByTestId("node-n2")).toHaveAttribute("data-status", "up");
  await expect(page.getByTestId("progress")).toHaveAttribute("data-status", "done");
  await expect(page.getByTestId("mesh-progress"), "a whole mesh: no mesh meter").toHaveCount(0);

  await page.getByTestId("node-n2").click();
  await page.getByTestId("freeze-button").click();
  const row = page.getByTestId("fault-list").locator("li").first();
  await expect(row).toHaveAttribute("data-status", "active");
  await expect(page.getByTestId("node-n2")).toHaveAttribute("data-status", "down", { timeout: 15_000 });
  await expect(row.getByTestId("detection-ms")).toHaveText(/\d/, { timeout: 10_000 });
  await page.getByTestId("thaw-button").click();
  await expect(row).toHaveAttribute("data-status", "healed");
  await expect(page.getByTestId("node-n2")).toHaveAttribute("data-status", "up", { timeout: 30_000 });

  await page.getByTestId("node-n1").click({ modifiers: ["Shift"] });
  await page.getByTestId("partition-button").click();
  const faults = async () => ((await (await request.get("/api/faults", { headers: control })).json()) as { faults: FaultDTO[] }).faults;
  await expect.poll(async () => (await faults())[0]?.groups?.map((g) => g.length)).toEqual([1, 2]);
  await expect(page.getByTestId("fault-list").locator("li").first()).toContainText("partition");
  // n1 | n2 n3: all three up, one link of three — the deploy panel says the mesh is not whole.
  const mesh = page.getByTestId("mesh-progress");
  await expect(mesh).toHaveAttribute("data-target", "3");
  await expect(mesh).toHaveAttribute("data-value", "1");
  await expect(mesh).toContainText("Mesh links");
  await page.getByTestId("heal-all").click();
  await expect.poll(async () => (await faults()).filter((f) => f.status === "active").length).toBe(0);
  await expect(mesh, "healed: the mesh whole again").toHaveCount(0, { timeout: 15_000 });

  // A scenario from the API, its captions in the presenter view: → steps to the next one.
  expect((await request.post("/api/scenarios/hello-swarm/run", { headers: control })).status()).toBe(202);
  await page.goto("/present");
  const caption = page.getByTestId("scenario-caption");
  await expect(caption).toBeVisible();
  await expect.poll(async () => ((await (await request.get("/api/scenarios", { headers: control })).json()) as { latest: { status: string } }).latest.status, { timeout: 60_000 }).toBe("passed");
  // The page has the run's last step too (a step that arrives later jumps the caption to itself).
  await expect(caption).toHaveAttribute("data-step", "2");
  await expect(caption).toHaveAttribute("data-status", "passed");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(caption).toHaveAttribute("data-step", "0");
  await page.keyboard.press("ArrowRight");
  await expect(caption).toHaveAttribute("data-step", "1");
  await expect(caption).toContainText("n1 sends one message to n2");

  // The audience sees the faults, never their controls.
  const viewer = await page.context().browser()!.newPage();
  await viewer.goto(`/?view=${view}`);
  await expect(viewer.getByTestId("faults-panel")).toBeVisible();
  await viewer.getByTestId("node-n1").click();
  for (const id of ["fault-controls", "partition-picker", "run-scenario", "heal-all"]) await expect(viewer.getByTestId(id), id).toHaveCount(0);
  await viewer.close();
  await request.put("/api/cluster", { headers: control, data: { replicas: 0 } });
});
