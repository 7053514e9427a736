import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzSeed } from "../../tests/fuzz-seed";
import { encodeFrame, FrameReader, MAX_FRAME_BYTES } from "./frames";
import { bridgeFrame } from "./protocol";

// Property-based fuzzing of the {packet, 4} reader: whatever bytes arrive, in whatever chunks, it
// never throws, hands out only whole frames within the limit, and reassembles well-formed streams
// exactly. Seeded: FUZZ_SEED=<n> replays a run.

const SEED = fuzzSeed("bridge frame reader");
const RUNS = 5000; // two properties of RUNS and one of 500: 10,500 cases per run
let cases = 0;

/** Cuts `buf` at the given fractions: the same bytes, in random chunks (some empty). */
function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, buf.length]) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  return out;
}

function feed(chunks: Buffer[]) {
  const frames: Buffer[] = [];
  const errors: Error[] = [];
  const r = new FrameReader((f) => frames.push(Buffer.from(f)), (e) => errors.push(e));
  for (const c of chunks) r.push(c);
  return { frames, errors, pending: r.pending() };
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });
const json = fc.jsonValue({ maxDepth: 4 });

describe(`FrameReader fuzz (seed ${SEED})`, () => {
  it("reassembles any stream of valid frames, in any chunking, exactly", () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 20 }), cuts, (objs, at) => {
        cases++;
        const bytes = Buffer.concat(objs.map(encodeFrame));
        const { frames, errors, pending } = feed(chunked(bytes, at));
        expect(errors).toEqual([]);
        expect(pending).toBe(0);
        expect(frames.map((f) => JSON.parse(f.toString("utf8")))).toEqual(objs.map((o) => JSON.parse(JSON.stringify(o))));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("survives random bytes in random chunks: no throw, frames within the limit, bytes accounted for", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), cuts, (raw, at) => {
        cases++;
        const bytes = Buffer.from(raw);
        const { frames, errors, pending } = feed(chunked(bytes, at));
        for (const f of frames) expect(f.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
        const consumed = frames.reduce((a, f) => a + 4 + f.length, 0);
        if (errors.length === 0) expect(consumed + pending).toBe(bytes.length);
        else expect(errors[0]!.message).toMatch(/exceeds the .* byte limit/);
        // Whatever a frame holds, the protocol check answers without throwing.
        for (const f of frames) {
          let v: unknown;
          try {
            v = JSON.parse(f.toString("utf8"));
          } catch {
            continue;
          }
          expect(typeof bridgeFrame.safeParse(v).success).toBe("boolean");
        }
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it("refuses an oversize length at once, before buffering its body, and reads nothing after it", () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_FRAME_BYTES + 1, max: 2 ** 32 - 1 }), fc.array(json, { maxLength: 5 }), (len, after) => {
        cases++;
        const head = Buffer.alloc(4);
        head.writeUInt32BE(len, 0);
        const r = feed([head, Buffer.alloc(100)]);
        expect(r.errors).toHaveLength(1);
        expect(r.frames).toEqual([]);
        expect(r.pending).toBe(0); // nothing kept of the bad frame
        const again = feed([...after.map(encodeFrame), head, ...after.map(encodeFrame)]);
        expect(again.errors).toHaveLength(1);
        expect(again.frames).toHaveLength(after.length); // those before it only: the stream is out of step after it
        expect(again.pending).toBe(0);
      }),
      { seed: SEED + 2, numRuns: 500 },
    );
    console.log(`[measure] frame reader fuzz: ${cases} cases (seed ${SEED}), 0 throws`);
  });
});
