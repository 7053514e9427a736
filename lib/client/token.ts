"use client";

import { createStore, useStore } from "./store";

const STORAGE_KEY = "swarmscope.token";

export interface TokenState {
  /** undefined: not read yet (server render, first paint); null: none. */
  token: string | null | undefined;
  /** Why the last token was dropped (rejected by the server). */
  problem?: string;
}

export const tokenStore = createStore<TokenState>({ token: undefined });

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Moves ?token=... from the address bar into localStorage, then reads the stored token. Runs once. */
export function loadToken(): void {
  if (tokenStore.get().token !== undefined) return;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token")?.trim();
  if (fromUrl) {
    safeStorage()?.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }
  tokenStore.set({ token: safeStorage()?.getItem(STORAGE_KEY) || null });
}

export function saveToken(token: string): void {
  safeStorage()?.setItem(STORAGE_KEY, token);
  tokenStore.set({ token });
}

export function forgetToken(problem?: string): void {
  safeStorage()?.removeItem(STORAGE_KEY);
  tokenStore.set({ token: null, problem });
}

export function currentToken(): string | null {
  return tokenStore.get().token ?? null;
}

export function useToken(): TokenState {
  return useStore(tokenStore, { token: undefined });
}
