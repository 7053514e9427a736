import { describe, expect, it } from "vitest";
import { FrameReader, MAX_FRAME_BYTES, encodeFrame } from "./frames";

function collect() {
  const frames: unknown[] = [];
  const errors: Error[] = [];
  const reader = new FrameReader(
    (f) => frames.push(JSON.parse(f.toString("utf8"))),
    (e) => errors.push(e),
  );
  return { reader, frames, errors };
}

describe("FrameReader", () => {
  it("reads one frame delivered whole", () => {
    const { reader, frames } = collect();
    reader.push(encodeFrame({ t: "hello" }));
    expect(frames).toEqual([{ t: "hello" }]);
    expect(reader.pending()).toBe(0);
  });

  it("reassembles a frame split byte by byte, including inside the length header", () => {
    const { reader, frames } = collect();
    const bytes = encodeFrame({ t: "events", node: "n1-abc@127.0.0.1", events: [{ e: "sent" }] });
    for (const b of bytes) reader.push(Buffer.from([b]));
    expect(frames).toEqual([{ t: "events", node: "n1-abc@127.0.0.1", events: [{ e: "sent" }] }]);
  });

  it("drains several frames arriving in one chunk, and keeps a trailing partial one", () => {
    const { reader, frames } = collect();
    const a = encodeFrame({ n: 1 });
    const b = encodeFrame({ n: 2 });
    const c = encodeFrame({ n: 3, text: "é — unicode" });
    const all = Buffer.concat([a, b, c]);
    reader.push(all.subarray(0, a.length + b.length + 5));
    expect(frames).toEqual([{ n: 1 }, { n: 2 }]);
    expect(reader.pending()).toBe(5);
    reader.push(all.subarray(a.length + b.length + 5));
    expect(frames).toEqual([{ n: 1 }, { n: 2 }, { n: 3, text: "é — unicode" }]);
  });

  it("handles an empty frame", () => {
    const raw: Buffer[] = [];
    const reader = new FrameReader((f) => raw.push(f));
    reader.push(Buffer.from([0, 0, 0, 0]));
    expect(raw).toHaveLength(1);
    expect(raw[0]!.length).toBe(0);
  });

  it("reports an oversized length instead of buffering forever", () => {
    const { reader, frames, errors } = collect();
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    reader.push(head);
    expect(frames).toEqual([]);
    expect(errors[0]?.message).toMatch(/exceeds/);
    expect(reader.pending()).toBe(0);
  });

  it("encodes the length big-endian", () => {
    const f = encodeFrame("x");
    expect(f.readUInt32BE(0)).toBe(3);
    expect(f.subarray(4).toString()).toBe('"x"');
  });
});
