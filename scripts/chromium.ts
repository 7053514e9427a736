// Debian's Chromium as the benches and the Playwright tests launch it (no browser download here),
// and the page script the benches use to time socket.io frames as they reach the page.
import { type Browser, chromium } from "@playwright/test";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * An init script that records in `window.__benchFrames` every socket.io text frame `match` (a JS
 * expression over the frame text `d`) accepts, with the time `clock` (a JS expression) gives.
 * Plain JavaScript text, so no transpiler helper (tsx adds __name) leaks into the page.
 */
export function wsTap(match: string, clock: string): string {
  return `(() => {
  const frames = (window.__benchFrames = []);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        const d = e.data;
        if (typeof d === "string" && (${match})) frames.push([${clock}, d]);
      });
    }
  };
})()`;
}
