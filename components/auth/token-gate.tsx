"use client";

import { useState } from "react";
import { saveToken } from "@/lib/client/token";
import { Logo } from "../header/logo";
import { Button } from "../ui/button";
import { Input } from "../ui/field";

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Shown when this browser has no access token: paste the one the server printed. */
export function TokenGate({ problem }: { problem?: string }) {
  const [value, setValue] = useState("");
  // A pasted dashboard address (?token=) or audience address (?view=, read-only) works too.
  const view = /[?&]view=/.test(value);
  const token = value.trim().replace(/^.*[?&](?:token|view)=([^&#\s]+).*$/, "$1");
  return (
    <main className="grid min-h-dvh place-items-center bg-[radial-gradient(ellipse_at_top,#0f1d30,#060a11_60%)] p-6">
      <form
        data-testid="token-gate"
        className="w-full max-w-xl rounded-3xl border border-edge bg-panel/90 p-10 shadow-2xl"
        onSubmit={(e) => {
          e.preventDefault();
          if (token) saveToken(decoded(token), view ? "view" : "control");
        }}
      >
        <div className="mb-8 flex items-center gap-4">
          <Logo />
          <div>
            <h1 className="text-3xl font-bold tracking-tight">Swarmscope</h1>
            <p className="text-dim">Live Erlang messaging across a swarm</p>
          </div>
        </div>
        <h2 className="mb-2 text-xl font-semibold">Access token needed</h2>
        <p className="mb-5 text-dim">
          The server prints the dashboard address with its token when it starts, like{" "}
          <code className="rounded bg-raised px-1.5 py-0.5 font-mono text-sm text-ink">http://127.0.0.1:3000/?token=…</code>. Open that
          address, or paste the token (or the whole address) here.
        </p>
        {problem && (
          <p role="alert" className="mb-4 rounded-xl border border-rose-500/40 bg-rose-500/10 px-4 py-3 text-rose-200">
            {problem}
          </p>
        )}
        <div className="flex gap-3">
          <Input
            data-testid="token-input"
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="Paste the access token"
            className="font-mono"
            aria-label="Access token"
          />
          <Button type="submit" variant="primary" disabled={!token} data-testid="token-submit">
            Connect
          </Button>
        </div>
      </form>
    </main>
  );
}
