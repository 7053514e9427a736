"use client";

import { createStore, useStore } from "./store";

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  resolve: (ok: boolean) => void;
}

const pending = createStore<ConfirmRequest | null>(null);
/** A running scenario sets this: its destructive steps go ahead without asking. */
const skip = createStore(false);

export function setSkipConfirm(on: boolean): void {
  skip.set(on);
}

/**
 * Asks before a destructive action (Kill, Remove all) with the app's dialog; resolves true at
 * once when confirmations are skipped (a running scenario) or `opts.skip` says so.
 */
export function confirmAction(opts: Omit<ConfirmRequest, "resolve"> & { skip?: boolean }): Promise<boolean> {
  if (opts.skip || skip.get()) return Promise.resolve(true);
  pending.get()?.resolve(false);
  return new Promise((resolve) => {
    pending.set({
      title: opts.title,
      body: opts.body,
      confirmLabel: opts.confirmLabel,
      resolve: (ok) => {
        pending.set(null);
        resolve(ok);
      },
    });
  });
}

/** The question waiting for an answer, if any. */
export function currentConfirm(): ConfirmRequest | null {
  return pending.get();
}

export function useConfirmRequest(): ConfirmRequest | null {
  return useStore(pending, null);
}
