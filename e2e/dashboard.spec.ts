import { expect, test } from "@playwright/test";
import { messageSchema } from "../lib/contracts/http-replies";

const token = "e2e-token-0123456789";

// Deploy, send and watch the reception from the browser, against the production build and
// real erl replicas. The screenshot is kept under test-results/.
test("deploy from the UI, send from the UI, see the reception live", async ({ page, request }, testInfo) => {
  // The page checks every reply and socket event against lib/contracts and warns on a mismatch.
  const drift: string[] = [];
  page.on("console", (msg) => {
    if (/does not match the contract/.test(msg.text())) drift.push(msg.text());
  });
  await page.goto(`/?token=${token}`);
  // The token is kept and removed from the address bar.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByTestId("bridge-status")).toContainText(/up/i, { timeout: 30_000 });

  await page.getByTestId("replicas-input").fill("5");
  const clickedAt = Date.now();
  await page.getByTestId("deploy-button").click();
  // Polled every 10 ms in the page, so the figure is the time the graph showed all 5 up.
  await page.waitForFunction(
    () => [1, 2, 3, 4, 5].every((i) => document.querySelector(`[data-testid="node-n${i}"]`)?.getAttribute("data-status") === "up"),
    undefined,
    { timeout: 60_000, polling: 10 },
  );
  console.log(`[measure] local: Deploy click → all 5 up in the graph: ${Date.now() - clickedAt} ms`);

  await expect(page.getByTestId("send-from").locator("option", { hasText: "n1" })).toHaveCount(1);
  await page.getByTestId("send-from").selectOption({ label: await optionLabel(page, "send-from", "n1") });
  await page.getByTestId("send-to").selectOption({ label: await optionLabel(page, "send-to", "n2") });
  await page.getByTestId("send-content").fill("hello from the browser");
  // Whether a new row ever flashed (it lasts 1.5 s: a slow page could miss it between two checks).
  await page.evaluate(() => {
    const w = window as unknown as { sawFlash?: boolean };
    new MutationObserver(() => (w.sawFlash ||= document.querySelector(".animate-row-in") !== null)).observe(document.body, { subtree: true, childList: true });
  });
  await page.getByTestId("send-button").click();

  const row = page.getByTestId("timeline-row").filter({ hasText: "hello from the browser" }).first();
  await expect(row).toHaveAttribute("data-status", /received|acked/, { timeout: 15_000 });
  await expect(row).toHaveAttribute("data-status", "acked", { timeout: 15_000 });
  await expect(page.getByTestId("stat-acked")).not.toHaveAttribute("data-value", "0");
  // The row flashed, and the flash (an animation held after its fade) is taken off by a later
  // render: the cluster view comes at least every 5 s.
  expect(await page.evaluate(() => (window as unknown as { sawFlash?: boolean }).sawFlash)).toBe(true);
  await expect(page.locator(".animate-row-in")).toHaveCount(0, { timeout: 8000 });

  // The API agrees with what the page shows.
  const id = await row.getAttribute("data-id");
  const res = await request.get(`/api/messages/${id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  const m = await res.json();
  expect(messageSchema.safeParse(m).error).toBeUndefined();
  expect(m).toMatchObject({ status: "acked", content: "hello from the browser" });
  expect(m.from).toMatch(/^n1-/);
  expect(m.to).toMatch(/^n2-/);

  await page.waitForTimeout(500);
  await page.screenshot({ path: testInfo.outputPath("dashboard.png") });

  // Kill a replica from the UI: it goes down, then comes back up.
  await page.getByTestId("node-n3").click();
  await page.getByTestId("kill-button").click();
  await page.getByTestId("confirm-ok").click(); // Kill asks first
  await expect(page.getByTestId("node-n3")).toHaveAttribute("data-status", /down|starting/, { timeout: 10_000 });
  await expect(page.getByTestId("node-n3")).toHaveAttribute("data-status", "up", { timeout: 60_000 });

  await page.getByTestId("remove-button").click();
  await page.getByTestId("confirm-ok").click(); // Remove all asks first
  await expect(page.getByTestId("node-n1")).toHaveCount(0, { timeout: 30_000 });
  expect(drift, "replies or socket events that break the contract").toEqual([]);
});

async function optionLabel(page: import("@playwright/test").Page, select: string, short: string): Promise<string> {
  const labels = await page.getByTestId(select).locator("option").allTextContents();
  const label = labels.find((l) => l.trim().startsWith(short));
  if (!label) throw new Error(`no option for ${short} in ${select}: ${labels.join(", ")}`);
  return label;
}
