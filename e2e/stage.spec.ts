import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

const token = "e2e-token-0123456789";
const auth = { authorization: `Bearer ${token}` };

// The presenter view, shortcuts, confirmations, toasts and the recharts charts, at a projector's
// 1280×720 and at 1920×1080, against the production build and real erl replicas.

async function noSideScroll(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const el = document.scrollingElement!;
    return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
  });
}

async function expectNoSideScroll(page: Page, where: string) {
  const { scrollWidth, clientWidth } = await noSideScroll(page);
  console.log(`[measure] ${where} ${page.viewportSize()!.width}x${page.viewportSize()!.height}: scrollWidth ${scrollWidth}, clientWidth ${clientWidth}`);
  expect(scrollWidth, `${where}: no horizontal scroll`).toBeLessThanOrEqual(clientWidth);
}

async function allUp(page: Page, n: number) {
  for (let i = 1; i <= n; i++) await expect(page.getByTestId(`node-n${i}`)).toHaveAttribute("data-status", "up", { timeout: 60_000 });
}

/** 5 replicas up (deployed through the API when the previous test left none). */
async function ensureFive(request: APIRequestContext) {
  const c = await (await request.get("/api/cluster", { headers: auth })).json();
  if (c.desiredReplicas === 5 && c.nodes.filter((n: { status: string }) => n.status === "up").length === 5) return;
  expect((await request.put("/api/cluster", { headers: auth, data: { replicas: 5 } })).status()).toBe(202);
  await expect
    .poll(async () => (await (await request.get("/api/cluster", { headers: auth })).json()).nodes.filter((n: { status: string }) => n.status === "up").length, { timeout: 60_000 })
    .toBe(5);
}

/** A palette PNG (a fraction of the size, no visible difference) when sharp (Next.js's image library) is there. */
async function saveSmallPng(png: Buffer, file: string) {
  const sharp = (await import("sharp").catch(() => null))?.default;
  if (sharp) await sharp(png).png({ palette: true, quality: 95, effort: 10, compressionLevel: 9 }).toFile(file);
  else fs.writeFileSync(file, png);
  console.log(`[measure] ${file}: ${Math.round(fs.statSync(file).size / 1024)} KiB`);
}

function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test.describe("at 1280×720", () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test("presenter: deploy by key, toast goes when done, ?, F, kill with confirmation, no side scroll", async ({ page, request }) => {
    await request.put("/api/cluster", { headers: auth, data: { replicas: 0 } });
    await page.goto(`/present?token=${token}`);
    await expect(page.getByTestId("presenter")).toBeVisible();
    await expect(page.getByTestId("presenter-counters")).toBeVisible();
    await expect(page.getByTestId("connection-status")).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
    await expectNoSideScroll(page, "/present");

    // D deploys the replica count (5 by default); its toast stays until the deploy says done.
    await expect.poll(async () => (await (await request.get("/api/cluster", { headers: auth })).json()).bridge.status, { timeout: 30_000 }).toBe("up");
    await page.keyboard.press("d");
    const scaling = page.getByTestId("toast-info").filter({ hasText: "Scaling to 5 replicas" });
    await expect(scaling).toBeVisible();
    await allUp(page, 5);
    await expect(scaling).toHaveCount(0, { timeout: 15_000 });
    const progress = (await (await request.get("/api/cluster", { headers: auth })).json()).progress;
    expect(progress).toMatchObject({ done: true, target: 5 });
    await expect(page.getByTestId("presenter-nodes")).toContainText("5 of 5");
    await expectNoSideScroll(page, "/present with 5 nodes");

    // ? lists the shortcuts; Esc closes them.
    await page.keyboard.press("?");
    await expect(page.getByTestId("shortcuts-overlay")).toBeVisible();
    await expect(page.getByTestId("shortcuts-overlay")).toContainText("Kill the selected node");
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("shortcuts-overlay")).toHaveCount(0);

    // S sends the form's message (from n1 to all): the counters move.
    await page.keyboard.press("s");
    await expect(page.getByTestId("presenter-stat-acked")).not.toHaveAttribute("data-value", "0", { timeout: 15_000 });

    // K on the selected node asks first; Cancel keeps it, the dialog's button kills it.
    await page.getByTestId("node-n3").click();
    await page.keyboard.press("k");
    await expect(page.getByTestId("confirm-dialog")).toBeVisible();
    await page.getByTestId("confirm-cancel").click();
    await expect(page.getByTestId("confirm-dialog")).toHaveCount(0);
    await expect(page.getByTestId("node-n3")).toHaveAttribute("data-status", "up");
    await page.keyboard.press("k");
    await page.getByTestId("confirm-ok").click();
    await expect(page.getByTestId("node-n3")).toHaveAttribute("data-status", /down|starting/, { timeout: 10_000 });
    await expect(page.getByTestId("node-n3")).toHaveAttribute("data-status", "up", { timeout: 60_000 });

    // F: to the dashboard and back, on the same live connection.
    await page.keyboard.press("f");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("charts")).toBeVisible();
    await allUp(page, 5);
    await expectNoSideScroll(page, "/");
    await page.keyboard.press("f");
    await expect(page).toHaveURL(/\/present$/);
    await expect(page.getByTestId("presenter-counters")).toBeVisible();

    // Reduced motion: an endless animation (the breathing of a starting node, put on a probe here:
    // nothing breathes in a settled cluster) plays once, nothing scrolls smoothly.
    await page.evaluate(() => {
      const probe = document.createElement("span");
      probe.className = "animate-breathe";
      probe.dataset.testid = "motion-probe";
      document.body.append(probe);
    });
    const dot = page.getByTestId("motion-probe");
    await expect.poll(() => dot.evaluate((el) => getComputedStyle(el).animationIterationCount)).toBe("infinite");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await expect.poll(() => dot.evaluate((el) => getComputedStyle(el).animationIterationCount)).toBe("1");
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior)).toBe("auto");
  });

  test("dashboard: toasts stay off the graph, charts are recharts SVG with data after traffic", async ({ page, request }, testInfo) => {
    await ensureFive(request);
    await page.goto(`/?token=${token}`);
    await allUp(page, 5);
    await expectNoSideScroll(page, "/");
    // Every panel inside the window: nothing cut off at the right or the bottom.
    for (const id of ["topology", "timeline", "charts", "event-log", "replica-list"]) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.x + box.width, `${id} right edge`).toBeLessThanOrEqual(1280);
    }
    const charts = (await page.getByTestId("charts").boundingBox())!;
    expect(charts.y + charts.height).toBeLessThanOrEqual(720);

    const started = await request.post("/api/traffic", { headers: auth, data: { pattern: "random", rate: 200, rounds: 60 } });
    expect(started.status()).toBe(202);
    // A toast (here: the send's) never covers the graph.
    await page.getByTestId("send-button").click();
    const toast = page.getByTestId("toast-success").first();
    await expect(toast).toBeVisible();
    expect(overlap((await toast.boundingBox())!, (await page.getByTestId("topology").boundingBox())!)).toBe(false);

    for (const id of ["chart-throughput", "chart-latency", "chart-nodes"]) {
      const chart = page.getByTestId(id);
      await expect(chart.locator(".recharts-wrapper > svg.recharts-surface")).toHaveCount(1);
      await expect(chart.getByTestId("chart-legend")).toBeVisible();
    }
    const curve = page.getByTestId("chart-throughput").locator("path.recharts-curve.recharts-area-curve").first();
    await expect(curve).toHaveAttribute("d", /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){3,}/, { timeout: 20_000 });
    // The chart shows traffic: some point of the sent line sits above the zero line.
    await expect
      .poll(async () => page.getByTestId("chart-throughput").getByTestId("time-chart").getAttribute("data-points").then(Number), { timeout: 20_000 })
      .toBeGreaterThan(3);
    const ys = await curve.evaluate((p) => (p.getAttribute("d") ?? "").match(/,[\d.]+/g)!.map((s) => Number(s.slice(1))));
    expect(Math.min(...ys)).toBeLessThan(Math.max(...ys));
    await page.screenshot({ path: testInfo.outputPath("dashboard-1280.png") });

    // Remove asks first.
    await page.getByTestId("remove-button").click();
    await expect(page.getByTestId("confirm-dialog")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("confirm-dialog")).toHaveCount(0);
    await expect(page.getByTestId("node-n1")).toHaveAttribute("data-status", "up");
  });
});

test("under 1280 px (1024×768) the header wraps and the panels reflow: still no side scroll", async ({ page, request }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await ensureFive(request);
  await page.goto(`/?token=${token}`);
  await allUp(page, 5);
  await expectNoSideScroll(page, "/");
  await page.goto("/present");
  await allUp(page, 5);
  await expectNoSideScroll(page, "/present");
});

test("from 1280 to 2560 px the header's counters never run under its buttons", async ({ page }) => {
  await page.goto(`/?token=${token}`);
  for (const width of [1280, 1536, 1600, 1920, 2560]) {
    await page.setViewportSize({ width, height: 1080 });
    await expect(page.getByTestId("stat-inflight")).toBeVisible();
    const countersRight = await page.getByTestId("stat-inflight").evaluate((el) => el.parentElement!.getBoundingClientRect().right);
    const countersLeft = await page.getByTestId("stat-sent").evaluate((el) => el.parentElement!.getBoundingClientRect().left);
    const titleRight = await page.locator("h1").evaluate((el) => el.getBoundingClientRect().right);
    const presentLeft = (await page.getByTestId("present-button").boundingBox())!.x;
    expect(countersRight, `counters' right edge at ${width} px`).toBeLessThanOrEqual(presentLeft);
    expect(countersLeft, `counters' left edge at ${width} px`).toBeGreaterThanOrEqual(titleRight);
  }
});

test.describe("screenshots of the presenter view", () => {
  for (const [width, height] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    test(`presenter at ${width}×${height}: counters, graph with nodes, no side scroll`, async ({ page, request }) => {
      await page.setViewportSize({ width, height });
      await ensureFive(request);
      await page.goto(`/present?token=${token}`);
      await allUp(page, 5);
      await expectNoSideScroll(page, "/present");
      await expect(page.getByTestId("presenter-counters")).toBeVisible();
      const graph = (await page.getByTestId("topology").boundingBox())!;
      expect(graph.width).toBeGreaterThan(width * 0.5);
      // The smallest text on the page, for a projector.
      const smallest = await page.evaluate(() => {
        let min = { px: Infinity, text: "" };
        for (const el of document.querySelectorAll<HTMLElement>(".presenter *")) {
          if (![...el.childNodes].some((c) => c.nodeType === 3 && c.textContent!.trim())) continue;
          if (el.closest(".sr-only") || el.getClientRects().length === 0) continue;
          const px = parseFloat(getComputedStyle(el).fontSize);
          if (px < min.px) min = { px, text: `<${el.tagName.toLowerCase()}> ${el.textContent!.trim().slice(0, 30)}` };
        }
        return min;
      });
      console.log(`[measure] presenter ${width}x${height}: smallest HTML text ${smallest.px} px (${smallest.text})`);
      expect(smallest.px, smallest.text).toBeGreaterThanOrEqual(width >= 1920 ? 20 : 15);

      await request.post("/api/traffic", { headers: auth, data: { pattern: "random", rate: 60, rounds: 100 } }); // ~8 s: pulses in the picture
      await expect(page.getByTestId("timeline-row").first()).toBeVisible({ timeout: 15_000 });
      await page.waitForTimeout(2500);
      await page.getByTestId("node-n2").click();
      await saveSmallPng(await page.screenshot(), `docs/present-${width}.png`);
    });
  }
});
