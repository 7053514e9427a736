import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeStatusSchema } from "../../lib/contracts/http-replies";
import type { Logger } from "../log";
import { openDatabase } from "./schema";
import { tm } from "./test-messages";
import { StoreWriter } from "./writer";
import { PairBook } from "../books/pair";
import { encodeVarints } from "../books/varint";

// The writer against a real SQLite file that stops taking writes: read-only (query_only, or a
// read-only connection) and full (max_page_count), then writable again.

const lines: string[] = [];
const log: Logger = { debug: () => {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
const fast = { retry: { firstMs: 5, maxMs: 20 }, log };

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("StoreWriter", () => {
  let dir: string;
  let file: string;
  let db: Database.Database;
  let reader: Database.Database;
  const stored = () => reader.prepare(`SELECT id, status, reason FROM messages ORDER BY id`).all() as { id: string; status: string; reason: string | null }[];
  const storedEvents = () => (reader.prepare(`SELECT text FROM events ORDER BY seq`).pluck().all() as string[]);

  beforeEach(() => {
    lines.length = 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-writer-"));
    file = path.join(dir, "s.db");
    db = openDatabase(file);
    reader = new Database(file, { readonly: true });
  });
  afterEach(() => {
    reader.close();
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a batch the database refused (read-only), merges newer updates, and writes it all once writable", async () => {
    const w = new StoreWriter(db, fast);
    w.add([tm("a", "sent")], [{ at: 1, kind: "nodeup", node: "n1-d@h", text: "n1 joined" }]);
    expect(w.flush()).toBe(true);

    db.pragma("query_only = ON");
    const a = tm("a", "received", { receivedAt: 1001 });
    w.add([a, tm("b", "sent"), tm("c", "sent")], [{ at: 2, kind: "nodedown", node: "n1-d@h", text: "n1 down" }]);
    expect(() => w.flush()).not.toThrow();
    a.status = "acked"; // the tracker's object changes while it waits
    w.add([tm("b", "lost", { reason: "timeout" })]); // a newer update of a queued message replaces it
    const failing = storeStatusSchema.parse(w.status());
    expect(failing).toMatchObject({ ok: false, queued: { messages: 3, events: 1 }, dropped: { messages: 0, events: 0 } });
    expect(failing.lastError).toMatch(/readonly/i);
    expect(failing.retryAt).not.toBeNull();
    expect(stored()).toEqual([{ id: "a", status: "sent", reason: null }]);

    await until("a few retries", () => w.status().failures >= 3); // retries ran in timers, none threw
    db.pragma("query_only = OFF");
    await until("the retry that works", () => w.status().ok);
    expect(w.status()).toMatchObject({ ok: true, failures: 0, retryAt: null, queued: { messages: 0, events: 0 }, lastError: failing.lastError });
    expect(stored()).toEqual([
      { id: "a", status: "acked", reason: null },
      { id: "b", status: "lost", reason: "timeout" },
      { id: "c", status: "sent", reason: null },
    ]);
    expect(storedEvents()).toEqual(["n1 joined", "n1 down"]);
    expect(lines.some((l) => /works again/.test(l))).toBe(true);
    w.close();
  });

  it("waits for the retry instead of writing on every flush while failing", () => {
    const w = new StoreWriter(db, { retry: { firstMs: 60_000, maxMs: 60_000 }, log });
    db.pragma("query_only = ON");
    w.add([tm("a", "sent")]);
    expect(w.flush()).toBe(false);
    db.pragma("query_only = OFF");
    w.add([tm("b", "sent")]);
    expect(w.flush()).toBe(false); // the retry is a minute away: only queued
    expect(w.status()).toMatchObject({ ok: false, failures: 1, queued: { messages: 2 } });
    expect(w.close()).toBe(true); // closing makes a last attempt regardless
    expect(stored().map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("survives a full disk (max_page_count) and writes everything once there is room", async () => {
    const w = new StoreWriter(db, fast);
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const big = Array.from({ length: 500 }, (_, i) => tm(`m${i}`, "sent", { content: "x".repeat(200) }));
    w.add(big);
    expect(w.flush()).toBe(false);
    expect(w.status().lastError).toMatch(/full/i);
    expect(w.status().queued.messages).toBe(500);
    db.pragma("max_page_count = 1073741823");
    await until("the retry that works", () => w.status().ok);
    expect((reader.prepare(`SELECT COUNT(*) FROM messages`).pluck().get() as number)).toBe(500);
    w.close();
  });

  it("never throws on a connection that cannot write at all, and says what it could not write on close", () => {
    db.close();
    const ro = new Database(file, { readonly: true });
    try {
      const w = new StoreWriter(ro, fast);
      w.add([tm("a", "sent")], [{ at: 1, kind: "bridge", text: "bridge up" }]);
      expect(w.flush()).toBe(false);
      expect(() => w.add([tm("b", "sent")])).not.toThrow();
      expect(w.close()).toBe(false);
      expect(w.status()).toMatchObject({ ok: false, queued: { messages: 2, events: 1 } });
      expect(lines.some((l) => /closing with 2 message update\(s\), 1 event\(s\) and 0 run\(s\) not written/.test(l))).toBe(true);
    } finally {
      ro.close();
    }
  });

  it("bounds what it holds while failing, dropping the oldest updates and counting them", async () => {
    const w = new StoreWriter(db, { ...fast, maxMessages: 5, maxEvents: 2 });
    db.pragma("query_only = ON");
    for (let i = 1; i <= 8; i++) w.add([tm(`m${i}`, "sent")], [{ at: i, kind: "traffic", text: `e${i}` }]);
    w.add([tm("m2", "received")]); // m2 was dropped; its newer update is queued again
    expect(w.flush()).toBe(false);
    expect(w.status()).toMatchObject({ queued: { messages: 5, events: 2 }, dropped: { messages: 4, events: 6 } });
    expect(lines.filter((l) => /dropping the oldest/.test(l))).toHaveLength(1);
    db.pragma("query_only = OFF");
    await until("the retry that works", () => w.status().ok);
    expect(stored().map((r) => r.id)).toEqual(["m2", "m5", "m6", "m7", "m8"]);
    expect(storedEvents()).toEqual(["e7", "e8"]);
    expect(w.status().dropped).toEqual({ messages: 4, events: 6 }); // kept, so it stays visible
    w.close();
  });

  it("writes the books' runs, pairs and applied rseqs in one transaction, and says so only once it is on disk", async () => {
    const written: number[] = [];
    const w = new StoreWriter(db, { ...fast, onWritten: (b) => written.push(...[...b.applied.values()].map((a) => a.rseq)) });
    const b = w.holder.current;
    const pair = new PairBook(1, "n1-d@h", 7, "n2-d@h", true, 0);
    pair.applySent(1, 3, 0);
    b.pairs.add(pair);
    b.sent.push({ pair: 1, seq0: 1, n: 3, t0First: 10, t0Last: 30, deltas: encodeVarints([10, 10]).toString("base64") });
    b.appliedReport("n1-d@h", 7, 1);
    b.series.add(1500, "sent", 3);
    db.pragma("query_only = ON");
    expect(w.flush()).toBe(false);
    expect(written).toEqual([]); // not on disk: nothing to commit
    w.holder.current.appliedReport("n1-d@h", 7, 2); // the next report joins the waiting batch
    expect(w.status().queued).toMatchObject({ runs: 1, reports: 1 });
    db.pragma("query_only = OFF");
    await until("the retry that works", () => w.status().ok);
    expect(written).toEqual([2]);
    expect(reader.prepare(`SELECT pair, seq0, n, hex(deltas) AS d FROM sent_runs`).all()).toEqual([{ pair: 1, seq0: 1, n: 3, d: "0A0A" }]);
    expect(reader.prepare(`SELECT node, inc, rseq FROM applied`).all()).toEqual([{ node: "n1-d@h", inc: 7, rseq: 2 }]);
    expect(JSON.parse((reader.prepare(`SELECT state FROM pairs WHERE id = 1`).pluck().get() as string))).toMatchObject({ s: 3, sentHi: 3 });
    expect(reader.prepare(`SELECT sec, sent FROM series`).all()).toEqual([{ sec: 1, sent: 3 }]);
    w.close();
  });
});
