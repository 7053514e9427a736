import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import type { ClusterDTO, MessageDTO, StatsDTO, TrafficState } from "../lib/contracts/http-replies";

const token = "e2e-token-0123456789";
const view = "e2e-view-token-9876543210";
const auth = { authorization: `Bearer ${token}` };

// Replay (issue 12) at a projector's 1280×720: a live run, then its window replayed at 20× from the
// stored history shows the same receptions (the counters reach the live run's count, the message
// sent by hand comes back acked); Live is one click away. And the audience link in the presenter
// view: no control in sight, and the control keys send nothing.
test.use({ viewport: { width: 1280, height: 720 } });

const get = async <T>(request: APIRequestContext, path: string): Promise<T> => (await (await request.get(path, { headers: auth })).json()) as T;

async function upNodes(request: APIRequestContext, n: number): Promise<string[]> {
  const c = await get<ClusterDTO>(request, "/api/cluster");
  if (c.desiredReplicas !== n || c.nodes.filter((x) => x.status === "up").length !== n) {
    expect((await request.put("/api/cluster", { headers: auth, data: { replicas: n } })).status()).toBe(202);
  }
  await expect.poll(async () => (await get<ClusterDTO>(request, "/api/cluster")).nodes.filter((x) => x.status === "up").length, { timeout: 60_000 }).toBe(n);
  return (await get<ClusterDTO>(request, "/api/cluster")).nodes.map((x) => x.name).sort();
}

async function received(page: Page): Promise<number> {
  return Number(await page.getByTestId("stat-received").getAttribute("data-value"));
}

test("replay of the last run at 20× shows the live run's receptions, then Live", async ({ page, request }) => {
  const [a, b] = await upNodes(request, 3);
  await page.goto(`/?token=${token}`);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-status", "connected", { timeout: 30_000 });

  // The live run: a ring of 3 × 400 and one message by hand, all acked.
  expect((await request.post("/api/traffic", { headers: auth, data: { pattern: "ring", rounds: 400 } })).status()).toBe(202);
  const sent = await request.post("/api/messages", { headers: auth, data: { from: a, to: b, content: "replay me" } });
  const id = ((await sent.json()) as { ids: string[] }).ids[0]!;
  await expect
    .poll(async () => {
      const t = (await get<{ traffic: TrafficState }>(request, "/api/traffic")).traffic;
      const s = await get<StatsDTO>(request, "/api/stats");
      const m = await get<MessageDTO>(request, `/api/messages/${id}`);
      return t.state !== "running" && s.inFlight === 0 && s.acked === s.received && m.status === "acked";
    }, { timeout: 60_000 })
    .toBe(true);
  const live = await get<StatsDTO>(request, "/api/stats");
  await expect.poll(() => received(page), { timeout: 15_000 }).toBe(live.received);
  await page.waitForTimeout(3500); // the run's window ends 3 s after it (its last acks)

  // Replay the last run at 20×, from the header.
  await page.getByTestId("replay-button").click();
  await expect(page.getByTestId("replay-picker")).toBeVisible();
  await page.getByTestId("replay-last-run").click();
  const banner = page.getByTestId("replay-banner");
  await expect(banner).toBeVisible();
  await expect(page.getByTestId("replay-overview")).toHaveAttribute("data-points", /^[1-9]/);
  await expect(page.getByTestId("send-button")).toHaveCount(0); // no control over the present while showing the past

  // It plays at once (5×); at the end it stops. Back at the window's start (the scrubber), the
  // counters are as they stood before the run…
  const scrubber = page.getByTestId("replay-scrubber");
  await expect(banner).toHaveAttribute("data-playing", "false", { timeout: 15_000 });
  await scrubber.fill(String(await scrubber.getAttribute("min")));
  await expect.poll(() => received(page)).toBeLessThan(live.received);
  await expect(page.getByTestId("timeline-row").filter({ hasText: "replay me" })).toHaveCount(0);

  // …and played at 20× they reach the live run's count, the message sent by hand acked, the nodes up.
  await page.getByTestId("replay-speed-20").click();
  const t0 = Date.now();
  await page.getByTestId("replay-play").click();
  await expect.poll(() => received(page), { timeout: 30_000 }).toBe(live.received);
  console.log(`[measure] replay at 20x reached ${live.received} received ${Date.now() - t0} ms after play`);
  await expect(page.getByTestId("timeline-row").filter({ hasText: "replay me" }).first()).toHaveAttribute("data-status", "acked");
  for (const n of ["n1", "n2", "n3"]) await expect(page.getByTestId(`node-${n}`)).toHaveAttribute("data-status", "up");
  await expect(banner).toHaveAttribute("data-playing", "false", { timeout: 15_000 }); // the end of the window
  expect(await received(page)).toBe(live.received);
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);

  // The presenter view (F) shows the same replay, with its bar above the dock.
  await page.keyboard.press("f");
  await expect(page.getByTestId("presenter")).toBeVisible();
  await expect(page.getByTestId("replay-banner")).toBeVisible();
  await expect(page.getByTestId("presenter-stat-received")).toHaveAttribute("data-value", String(live.received));
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-status", "replay");
  for (const id of ["dock-deploy", "dock-send", "dock-storm"]) await expect(page.getByTestId(id), id).toHaveCount(0);
  await page.screenshot({ path: "docs/replay-1280.png" }); // the README's picture (stage.spec.ts shrinks its own with sharp)
  await page.keyboard.press("f");
  await expect(page.getByTestId("presenter")).toHaveCount(0);

  // Live, one click away.
  await page.getByTestId("replay-live").click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
  await expect.poll(() => received(page), { timeout: 15_000 }).toBe(live.received);
  await expect(page.getByTestId("send-button")).toBeVisible();
});

test("the audience link in the presenter view: no control in sight, the control keys send nothing", async ({ page, request }) => {
  await upNodes(request, 3);
  const calls: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/") && r.method() !== "GET") calls.push(`${r.method()} ${r.url()}`);
  });
  await page.goto(`/present?view=${view}`);
  await expect(page.getByTestId("presenter")).toBeVisible();
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
  await expect(page.getByTestId("presenter-nodes")).toContainText("3 of 3");
  for (const id of ["dock-deploy", "dock-send", "dock-storm", "dock-kill"]) await expect(page.getByTestId(id), id).toHaveCount(0);
  await expect(page.getByTestId("dock-pause")).toBeVisible();
  await expect(page.getByTestId("replay-button")).toBeVisible(); // replay only reads

  await page.getByTestId("node-n2").click();
  for (const key of ["d", "s", "t", "k", "r"]) {
    await page.keyboard.press(key);
    await page.waitForTimeout(150);
  }
  await expect(page.getByTestId("confirm-dialog")).toHaveCount(0);
  await page.keyboard.press("?");
  const overlay = page.getByTestId("shortcuts-overlay");
  await expect(overlay).toBeVisible();
  await expect(overlay).not.toContainText("Deploy");
  await expect(overlay).toContainText("Pause / follow");
  await page.keyboard.press("Escape");
  expect(calls, "control calls from the audience link").toEqual([]);
  const c = await get<ClusterDTO>(request, "/api/cluster");
  expect(c.nodes.filter((n) => n.status === "up")).toHaveLength(3);
});
