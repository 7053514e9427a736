"use client";

import { useEffect } from "react";
import { loadToken, useToken } from "@/lib/client/token";
import { TokenGate } from "../auth/token-gate";
import { Toaster } from "../ui/toaster";
import { LiveDashboard } from "./live-dashboard";

/** The page: asks for the access token if there is none, else the live dashboard. */
export function Dashboard() {
  const { token, problem } = useToken();
  useEffect(() => loadToken(), []);
  return (
    <>
      {token === undefined ? <Splash /> : token ? <LiveDashboard key={token} token={token} /> : <TokenGate problem={problem} />}
      <Toaster />
    </>
  );
}

function Splash() {
  return <div className="min-h-dvh bg-canvas" aria-busy />;
}
