"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError } from "@/lib/client/api";
import { ContractError } from "@/lib/client/contract-check";
import { toast } from "@/lib/client/toasts";
import { forgetToken, markViewOnly } from "@/lib/client/token";
import { VIEW_TOKEN_REFUSAL } from "@/lib/contracts/common";

function report(err: unknown, what: string): void {
  if (err instanceof ApiError && err.status === 403 && err.message === VIEW_TOKEN_REFUSAL) {
    markViewOnly(); // a read-only token: keep watching, hide the controls
    toast("error", "This is a read-only audience link: it shows everything live, but cannot change anything.", what);
    return;
  }
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    forgetToken("The server rejected this token. Paste the current one from the server's start-up line.");
    return;
  }
  toast("error", err instanceof Error ? err.message : String(err), what);
}

function makeClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: (err, query) => report(err, `Loading ${String(query.queryKey[0])} failed`) }),
    mutationCache: new MutationCache({ onError: (err) => report(err, "Request failed") }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        // A 4xx or a reply that breaks the contract will not improve by asking again.
        retry: (n, err) => !(err instanceof ContractError) && !(err instanceof ApiError && err.status >= 400 && err.status < 500) && n < 3,
      },
      mutations: { retry: false },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
