"use client";

import type { AccessRole } from "../contracts/common";
import { useReplaying } from "./replay/mode";
import { createStore, useStore } from "./store";

const STORAGE_KEY = "swarmscope.token";
const ROLE_KEY = "swarmscope.role";

export interface TokenState {
  /** undefined: not read yet (server render, first paint); null: none. */
  token: string | null | undefined;
  /** "view": a read-only audience link (`?view=`); every control is hidden. */
  role: AccessRole;
  /** Why the last token was dropped (rejected by the server). */
  problem?: string;
}

export const tokenStore = createStore<TokenState>({ token: undefined, role: "view" });

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * Moves `?token=` (control) or `?view=` (read-only) from the address bar into localStorage, then
 * reads the stored token and its role. Runs once. An audience link wins over a stored control token.
 */
export function loadToken(): void {
  if (tokenStore.get().token !== undefined) return;
  const url = new URL(window.location.href);
  const control = url.searchParams.get("token")?.trim();
  const view = url.searchParams.get("view")?.trim();
  const fromUrl = view ? { token: view, role: "view" as const } : control ? { token: control, role: "control" as const } : null;
  if (fromUrl) remember(fromUrl.token, fromUrl.role);
  url.searchParams.delete("token");
  url.searchParams.delete("view");
  if (fromUrl) window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  const stored = safeStorage()?.getItem(ROLE_KEY);
  tokenStore.set({ token: safeStorage()?.getItem(STORAGE_KEY) || null, role: stored === "view" ? "view" : "control" });
}

function remember(token: string, role: AccessRole): void {
  safeStorage()?.setItem(STORAGE_KEY, token);
  safeStorage()?.setItem(ROLE_KEY, role);
}

/** A pasted token (or a pasted dashboard / audience address). */
export function saveToken(token: string, role: AccessRole = "control"): void {
  remember(token, role);
  tokenStore.set({ token, role });
}

/** The server said this token only reads: hide the controls from now on. */
export function markViewOnly(): void {
  const s = tokenStore.get();
  if (!s.token || s.role === "view") return;
  safeStorage()?.setItem(ROLE_KEY, "view");
  tokenStore.set({ ...s, role: "view" });
}

export function forgetToken(problem?: string): void {
  safeStorage()?.removeItem(STORAGE_KEY);
  safeStorage()?.removeItem(ROLE_KEY);
  tokenStore.set({ token: null, role: "view", problem });
}

export function currentToken(): string | null {
  return tokenStore.get().token ?? null;
}

export function useToken(): TokenState {
  return useStore(tokenStore, { token: undefined, role: "view" });
}

/**
 * Whether this browser may deploy, send, kill, start traffic or switch runtime: every control asks
 * this. Never during a replay: the screen shows the past, a control would act on the present.
 */
export function useCanControl(): boolean {
  const { token, role } = useToken();
  const replaying = useReplaying();
  return !!token && role === "control" && !replaying;
}
