import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The custom server (server/index.ts) owns the process; these packages stay server-side only.
  serverExternalPackages: ["better-sqlite3", "dockerode"],
  devIndicators: false,
  poweredByHeader: false,
};

export default nextConfig;
