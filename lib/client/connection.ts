"use client";

import { createStore, useStore } from "./store";

export type ConnectionStatus = "idle" | "connecting" | "connected" | "disconnected" | "unauthorized";

export interface ConnectionState {
  status: ConnectionStatus;
  error?: string;
  since: number;
}

export const connectionStore = createStore<ConnectionState>({ status: "idle", since: 0 });

export function setConnection(status: ConnectionStatus, error?: string): void {
  const prev = connectionStore.get();
  if (prev.status === status && prev.error === error) return;
  connectionStore.set({ status, error, since: Date.now() });
}

const INITIAL: ConnectionState = { status: "idle", since: 0 };

export function useConnection(): ConnectionState {
  return useStore(connectionStore, INITIAL);
}
