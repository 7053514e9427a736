import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The custom server (server/index.ts) owns the process; these packages stay server-side only.
  serverExternalPackages: ["better-sqlite3", "dockerode"],
  devIndicators: false,
  poweredByHeader: false,
  // Only for profiling the page (scripts/profile-page.mts): SWARMSCOPE_SOURCE_MAPS=1 npx next build.
  // eslint-disable-next-line no-restricted-properties -- a build flag, read by next build, not the server's configuration
  productionBrowserSourceMaps: process.env.SWARMSCOPE_SOURCE_MAPS === "1",
};

export default nextConfig;
