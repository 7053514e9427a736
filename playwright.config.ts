import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./scripts/chromium";
import { defineConfig } from "@playwright/test";

// The e2e suite runs against the production build on its own port and its own data folder,
// so it never touches a developer's dashboard or nodes. Debian's Chromium; no browser download.
const port = 3917;
const token = "e2e-token-0123456789";
const viewToken = "e2e-view-token-9876543210";
const dataDir = ".data-e2e";

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1920, height: 1080 },
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: `rm -rf ${dataDir} && exec node --import tsx server/index.ts`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: { PORT: String(port), SWARMSCOPE_TOKEN: token, SWARMSCOPE_VIEW_TOKEN: viewToken, SWARMSCOPE_DATA: dataDir, NODE_ENV: "production" },
  },
  metadata: { token, viewToken },
});
