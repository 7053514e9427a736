import { expect, test } from "@playwright/test";
import { VIEW_TOKEN_REFUSAL } from "../lib/contracts/common";
import type { ClusterDTO } from "../lib/contracts/http-replies";

const token = "e2e-token-0123456789";
const view = "e2e-view-token-9876543210";
const control = { authorization: `Bearer ${token}` };

// The audience link (issue 12): a browser opened with ?view= sees the cluster and every message
// live, shows no control at all, gets a 403 for a control call, and never holds the control token.
test("the read-only audience link: live messages, no controls, 403 on control, no control token", async ({ page, request }) => {
  expect((await request.put("/api/cluster", { headers: control, data: { replicas: 2 } })).status()).toBe(202);
  await expect
    .poll(async () => ((await (await request.get("/api/cluster", { headers: control })).json()) as ClusterDTO).nodes.filter((n) => n.status === "up").length, { timeout: 60_000 })
    .toBe(2);
  const [a, b] = ((await (await request.get("/api/cluster", { headers: control })).json()) as ClusterDTO).nodes.map((n) => n.name).sort();

  // Everything the viewer's browser receives, to look for the control token in it.
  const received: string[] = [];
  page.on("response", async (r) => received.push(await r.text().catch(() => "")));
  page.on("websocket", (ws) => ws.on("framereceived", (f) => received.push(String(f.payload))));

  await page.goto(`/?view=${view}`);
  await expect(page).not.toHaveURL(/view=/);
  await expect(page.getByTestId("view-only")).toBeVisible();
  await expect(page.getByTestId("bridge-status")).toContainText(/up/i, { timeout: 30_000 });
  await expect(page.getByTestId("node-n1")).toHaveAttribute("data-status", "up", { timeout: 30_000 });
  await expect(page.getByTestId("node-n2")).toHaveAttribute("data-status", "up");

  // A message sent by the presenter (control token, through the API) shows up live for the audience.
  const sent = await request.post("/api/messages", { headers: control, data: { from: a, to: b, content: "for the audience" } });
  expect(sent.status()).toBe(202);
  const row = page.getByTestId("timeline-row").filter({ hasText: "for the audience" }).first();
  await expect(row).toHaveAttribute("data-status", /received|acked/, { timeout: 15_000 });

  // No control anywhere, even with a node selected; export (a GET) stays.
  await page.getByTestId("node-n1").click();
  await expect(page.getByTestId("node-details-body")).toBeVisible();
  for (const id of ["deploy-button", "remove-button", "replicas-input", "runtime-select", "runtime-init", "send-button", "send-content", "traffic-start", "traffic-stop", "kill-button", "send-from-here"]) {
    await expect(page.getByTestId(id), id).toHaveCount(0);
  }
  await expect(page.getByTestId("export-menu")).toBeVisible();

  // The page's own credential reads, and is refused any control call with a clear message.
  const tried = await page.evaluate(async () => {
    const auth = { authorization: `Bearer ${localStorage.getItem("swarmscope.token")}`, "content-type": "application/json" };
    const put = await fetch("/api/cluster", { method: "PUT", headers: auth, body: JSON.stringify({ replicas: 0 }) });
    const get = await fetch("/api/stats", { headers: auth });
    return { put: put.status, error: ((await put.json()) as { error: string }).error, get: get.status };
  });
  expect(tried).toEqual({ put: 403, error: VIEW_TOKEN_REFUSAL, get: 200 });

  const html = await page.content();
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
  expect(storage).toContain(view);
  for (const [where, text] of [["page", html], ["storage", storage], ["responses and socket frames", received.join("\n")]] as const) {
    expect(text.includes(token), `the control token in the viewer's ${where}`).toBe(false);
  }
  expect(received.length).toBeGreaterThan(5);
  console.log(`[measure] audience link: ${received.length} responses and socket frames checked for the control token`);

  expect((await request.put("/api/cluster", { headers: control, data: { replicas: 0 } })).status()).toBe(202);
});
