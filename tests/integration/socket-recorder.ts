import { io, type Socket } from "socket.io-client";
import { isServerEvent, serverToClient } from "../../lib/contracts/socket";
import { z } from "zod";

export interface Recorded {
  name: string;
  payload: unknown;
  at: number;
}

/**
 * A socket.io client logged in like the dashboard, recording every event the server pushes, to
 * check each against its schema in lib/contracts/socket.ts.
 */
export class SocketRecorder {
  readonly events: Recorded[] = [];
  private readonly socket: Socket;

  constructor(url: string, token: string) {
    this.socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
    this.socket.onAny((name: string, ...args: unknown[]) => this.events.push({ name, payload: args.length === 1 ? args[0] : args, at: Date.now() }));
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("connect_error", reject);
    });
  }

  count(name: string): number {
    return this.events.filter((e) => e.name === name).length;
  }

  /** One line per event that is not in the contract or whose payload its schema rejects. */
  violations(): string[] {
    const out: string[] = [];
    for (const e of this.events) {
      if (!isServerEvent(e.name)) {
        out.push(`event "${e.name}" is not in the socket contract`);
        continue;
      }
      const r = serverToClient[e.name].safeParse(e.payload);
      if (!r.success) out.push(`event "${e.name}" does not match its schema:\n${z.prettifyError(r.error)}\npayload: ${JSON.stringify(e.payload).slice(0, 400)}`);
    }
    return out;
  }

  close(): void {
    this.socket.disconnect();
  }
}
