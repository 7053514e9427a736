import { expect, test } from "@playwright/test";

const token = "e2e-token-0123456789";
const auth = { authorization: `Bearer ${token}` };
const NODES = 12;

test.use({ viewport: { width: 1920, height: 1080 } });

const linkLayer = (page: import("@playwright/test").Page) => page.getByTestId("link-layer");

// The links are drawn on a canvas, not as SVG elements: the canvas says how many it drew, and
// how many it highlighted for the selected node. A real cluster of 12 erl replicas, fully meshed.
test("the link canvas draws the mesh of 12 nodes and highlights the selected node's links", async ({ page, request }, testInfo) => {
  expect((await request.put("/api/cluster", { headers: auth, data: { replicas: NODES } })).status()).toBe(202);
  await page.goto(`/?token=${token}`);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid^="node-n"][data-status="up"]').length === n,
    NODES,
    { timeout: 90_000 },
  );
  // Every pair linked: 66 links, each drawn once, none highlighted, none bundled (a full mesh of 50 or fewer).
  const mesh = (NODES * (NODES - 1)) / 2;
  await expect(linkLayer(page)).toHaveAttribute("data-links", String(mesh), { timeout: 30_000 });
  await expect(linkLayer(page)).toHaveAttribute("data-highlighted", "0");
  await expect(linkLayer(page)).toHaveAttribute("data-bundled", "false");
  await expect(page.getByTestId("topology")).toContainText(`${mesh} links`);
  // No SVG element per link any more.
  expect(await page.locator("[data-testid=topology] line").count()).toBe(0);

  // The canvas has pixels where a link runs: halfway between two nodes.
  const lit = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="link-layer"]') as HTMLCanvasElement;
    const box = canvas.getBoundingClientRect();
    const at = (id: string) => {
      const r = document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect();
      return [r.x + r.width / 2 - box.x, r.y + r.height / 2 - box.y];
    };
    const [a, b] = [at("node-n1"), at("node-n7")];
    const dpr = canvas.width / box.width;
    const x = Math.round(((a[0]! + b[0]!) / 2) * dpr);
    const y = Math.round(((a[1]! + b[1]!) / 2) * dpr);
    return canvas.getContext("2d")!.getImageData(x - 2, y - 2, 5, 5).data.some((v, i) => i % 4 === 3 && v > 0);
  });
  expect(lit).toBe(true);

  await page.getByTestId("node-n1").click();
  await expect(page.getByTestId("node-n1")).toHaveAttribute("aria-pressed", "true");
  await expect(linkLayer(page)).toHaveAttribute("data-highlighted", String(NODES - 1));
  await expect(linkLayer(page)).toHaveAttribute("data-links", String(mesh));
  await page.screenshot({ path: testInfo.outputPath("topology-12-selected.png") });
  console.log(`[measure] link canvas, ${mesh} links: drawn in ${await linkLayer(page).getAttribute("data-draw-ms")} ms`);

  // A click on empty ground clears the selection and the highlight.
  await page.getByRole("img", { name: "Cluster topology" }).click({ position: { x: 4, y: 4 } });
  await expect(linkLayer(page)).toHaveAttribute("data-highlighted", "0");

  expect((await request.put("/api/cluster", { headers: auth, data: { replicas: 0 } })).status()).toBe(202);
  await expect(page.getByTestId("node-n1")).toHaveCount(0, { timeout: 30_000 });
});

// Messages in flight: glowing dots drawn on the pulse canvas, handed over to a worker (an
// OffscreenCanvas) so their frames cost the page's main thread nothing. The canvas's pixels cannot
// be read from the page once handed over: its picture is compared, still, moving and after.
test("messages in flight are drawn by a worker on the pulse canvas, and cleared when they land", async ({ page, request }) => {
  expect((await request.put("/api/cluster", { headers: auth, data: { replicas: 3 } })).status()).toBe(202);
  await page.goto(`/?token=${token}`);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="node-n"][data-status="up"]').length === 3, null, { timeout: 60_000 });
  const pulses = page.getByTestId("pulse-layer");
  await expect(pulses).toHaveAttribute("data-drawer", "worker");
  await expect(linkLayer(page)).toHaveAttribute("data-links", "3", { timeout: 30_000 });
  await page.waitForTimeout(1000);
  const still = await pulses.screenshot();
  expect((await request.post("/api/traffic", { headers: auth, data: { pattern: "random", rate: 40, rounds: 40 } })).status()).toBe(202);
  await expect.poll(async () => Buffer.compare(await pulses.screenshot(), still) !== 0, { timeout: 15_000 }).toBe(true);
  // The run ends (~3 s); a pulse lives at most 1.1 s and its ripple 0.5 s after: the picture is still again.
  await expect.poll(async () => (await (await request.get("/api/traffic", { headers: auth })).json()).traffic?.state, { timeout: 30_000 }).toBe("finished");
  await expect.poll(async () => Buffer.compare(await pulses.screenshot(), still) === 0, { timeout: 10_000 }).toBe(true);

  expect((await request.put("/api/cluster", { headers: auth, data: { replicas: 0 } })).status()).toBe(202);
  await expect(page.getByTestId("node-n1")).toHaveCount(0, { timeout: 30_000 });
});
