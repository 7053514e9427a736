import { describe, expect, it } from "vitest";
import { DockerStreamDemuxer } from "./swarm-demux";

function record(type: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

describe("DockerStreamDemuxer", () => {
  it("splits stdout from stderr whatever the chunking", () => {
    const all = Buffer.concat([record(1, "frame-1"), record(2, "log line\n"), record(1, ""), record(1, "frame-2")]);
    for (const size of [1, 3, 8, 9, 100]) {
      const out: string[] = [];
      const err: string[] = [];
      const d = new DockerStreamDemuxer((b) => out.push(b.toString()), (b) => err.push(b.toString()));
      for (let i = 0; i < all.length; i += size) d.push(all.subarray(i, i + size));
      expect(out.join("")).toBe("frame-1frame-2");
      expect(err.join("")).toBe("log line\n");
      expect(d.pending()).toBe(0);
    }
  });

  it("keeps a partial record until the rest arrives", () => {
    const out: Buffer[] = [];
    const d = new DockerStreamDemuxer((b) => out.push(b), () => {});
    const r = record(1, "abcdef");
    d.push(r.subarray(0, 10));
    expect(out).toHaveLength(0);
    expect(d.pending()).toBe(10);
    d.push(r.subarray(10));
    expect(Buffer.concat(out).toString()).toBe("abcdef");
  });

  it("reports a stream that is not multiplexed (a TTY container)", () => {
    const errors: Error[] = [];
    const d = new DockerStreamDemuxer(() => {}, () => {}, (e) => errors.push(e));
    d.push(Buffer.from("plain text output"));
    expect(errors[0]?.message).toMatch(/TTY/);
  });
});
