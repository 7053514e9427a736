import { describe, expect, it } from "vitest";
import type { MessageDTO } from "../lib/contracts/http-replies";
import { parseCsv } from "../tests/integration/csv-parse";
import { CSV_COLUMNS, csvField, csvRow, exportFilename, isoMicros, messageCsvRow, streamOf } from "./export";

const msg = (over: Partial<MessageDTO> = {}): MessageDTO => ({
  id: "m1",
  from: "n1-abc123@127.0.0.1",
  to: "n2-abc123@127.0.0.1",
  content: "hi",
  status: "acked",
  sentAt: 1_700_000_000_000.25,
  receivedAt: 1_700_000_000_000.75,
  ackedAt: 1_700_000_000_001.5,
  latencyMs: 0.5,
  reason: null,
  seed: false,
  ...over,
});

describe("csvField", () => {
  it("leaves plain text and numbers alone", () => {
    expect(csvField("hello world")).toBe("hello world");
    expect(csvField(0.125)).toBe("0.125");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(true)).toBe("true");
    expect(csvField(Number.NaN)).toBe("");
  });

  it("quotes commas, quotes, CR and LF, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
  });

  it("guards formula starts with an apostrophe, and quotes the result", () => {
    for (const s of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(csvField(s)).toBe(`"'${s}"`);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField("a=1")).toBe("a=1");
    expect(csvField(-1)).toBe("-1"); // numbers are ours, not text from a node
  });
});

describe("CSV rows", () => {
  it("end in CRLF and parse back to the same fields", () => {
    const content = 'commas, "quotes"\nand a newline\r\nand CRLF';
    const text = csvRow([...CSV_COLUMNS]) + messageCsvRow(msg({ content, reason: "x,y", latencyKind: "one-way" }));
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const r = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(r).toMatchObject({ id: "m1", status: "acked", content, reason: "x,y", seed: "false", latencyMs: "0.5", latencyKind: "one-way" });
    expect(r.sentAt).toBe("2023-11-14T22:13:20.000250Z");
    expect(r.receivedAt).toBe("2023-11-14T22:13:20.000750Z");
    expect(r.ackedAt).toBe("2023-11-14T22:13:20.001500Z");
  });

  it("write empty cells for missing times", () => {
    const rows = parseCsv(messageCsvRow(msg({ status: "lost", receivedAt: null, ackedAt: null, latencyMs: null, reason: "receiver down" })));
    expect(rows[0]!.slice(4, 10)).toEqual(["2023-11-14T22:13:20.000250Z", "", "", "", "", "receiver down"]);
  });
});

describe("isoMicros", () => {
  it("keeps microseconds and carries a rounded-up millisecond", () => {
    expect(isoMicros(0)).toBe("1970-01-01T00:00:00.000000Z");
    expect(isoMicros(1.0004)).toBe("1970-01-01T00:00:00.001000Z");
    expect(isoMicros(1.9999)).toBe("1970-01-01T00:00:00.002000Z");
    expect(isoMicros(null)).toBeNull();
  });
});

describe("exportFilename", () => {
  it("names deployment, time and extension", () => {
    expect(exportFilename("abc123", Date.UTC(2025, 0, 2, 3, 4, 5, 678), "report")).toBe("swarmscope-abc123-20250102T030405Z.md");
    expect(exportFilename("a/b", 0, "csv")).toBe("swarmscope-a_b-19700101T000000Z.csv");
  });
});

describe("streamOf", () => {
  it("streams every piece and calls done once at the end", async () => {
    let done = 0;
    function* gen() {
      for (let i = 0; i < 5000; i++) yield `${"x".repeat(50)}${i}\n`;
    }
    const text = await new Response(streamOf(gen(), () => done++)).text();
    expect(text.split("\n")).toHaveLength(5001);
    expect(text.endsWith("4999\n")).toBe(true);
    expect(done).toBe(1);
  });

  it("releases the source when the reader cancels", async () => {
    let done = 0;
    let cleaned = false;
    function* gen() {
      try {
        for (;;) yield "y".repeat(1000);
      } finally {
        cleaned = true;
      }
    }
    const reader = streamOf(gen(), () => done++).getReader();
    await reader.read();
    await reader.cancel();
    expect(cleaned).toBe(true);
    expect(done).toBe(1);
  });

  it("errors the stream and cleans up when a piece throws", async () => {
    let done = 0;
    function* gen(): Generator<string> {
      yield "a";
      throw new Error("disk on fire");
    }
    await expect(new Response(streamOf(gen(), () => done++)).text()).rejects.toThrow(/disk on fire/);
    expect(done).toBe(1);
  });
});
