import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="12" fill="#0e1a2a"/><path d="M14 32 24 13 34 32Z" fill="none" stroke="#38d6c4" stroke-width="2.5"/><circle cx="24" cy="13" r="5.5" fill="#38d6c4"/><circle cx="14" cy="32" r="5.5" fill="#38d6c4"/><circle cx="34" cy="32" r="5.5" fill="#3b82f6"/></svg>`;

export const metadata: Metadata = {
  title: "Swarmscope",
  description: "Watch messages cross real Erlang nodes on Docker Swarm or local processes, live.",
  icons: { icon: `data:image/svg+xml,${encodeURIComponent(ICON)}` },
};

export const viewport: Viewport = {
  themeColor: "#070b12",
  colorScheme: "dark",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="dark">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
