import { describe, expect, it } from "vitest";
import { VARINT_MAX, decodeVarints, encodeVarints, forEachRunTime, forEachVarint, varintBytes } from "./varint";

// The bytes the replicas write (erlang/test/swarmscope_books_tests.erl varint_test), byte by byte.
describe("varints", () => {
  it("decodes one-byte values, and the two-byte 300 = <<172, 2>>", () => {
    expect(decodeVarints(Uint8Array.from([0]))).toEqual([0]);
    expect(decodeVarints(Uint8Array.from([1]))).toEqual([1]);
    expect(decodeVarints(Uint8Array.from([127]))).toEqual([127]);
    expect(decodeVarints(Uint8Array.from([0x80, 0x01]))).toEqual([128]);
    expect(decodeVarints(Uint8Array.from([172, 2]))).toEqual([300]);
    expect(decodeVarints(Uint8Array.from([0xff, 0x7f]))).toEqual([16383]);
    expect(decodeVarints(Uint8Array.from([0x80, 0x80, 0x01]))).toEqual([16384]);
  });

  it("decodes 2^35 and 2^53 - 1 exactly (no 32-bit bit operations)", () => {
    expect(decodeVarints(encodeVarints([2 ** 35]))).toEqual([2 ** 35]);
    const max = encodeVarints([VARINT_MAX]);
    expect([...max]).toEqual([255, 255, 255, 255, 255, 255, 255, 15]);
    expect(decodeVarints(max)).toEqual([VARINT_MAX]);
  });

  it("round-trips a sequence, and encodes like the replicas (negative 0, too large clamped)", () => {
    const values = [0, 1, 127, 128, 255, 300, 16383, 16384, 2 ** 35, VARINT_MAX];
    expect(decodeVarints(encodeVarints(values))).toEqual(values);
    expect([...encodeVarints([300])]).toEqual([172, 2]);
    expect(decodeVarints(encodeVarints([-5, 2 ** 60]))).toEqual([0, VARINT_MAX]);
  });

  it("reads base64 as the frames carry it, and stops at the count asked", () => {
    // "BAU=" is <<4, 5>>: the deltas of PROTOCOL.md's example sent run.
    expect(decodeVarints(varintBytes("BAU=")!)).toEqual([4, 5]);
    expect(decodeVarints(varintBytes("yAHVAQ==")!)).toEqual([200, 213]);
    expect(varintBytes(null)).toBeNull();
    expect(decodeVarints(encodeVarints([1, 2, 3]), 2)).toEqual([1, 2]);
  });

  it("leaves out a truncated last value, and reports indexes in order", () => {
    const seen: [number, number][] = [];
    expect(forEachVarint(Uint8Array.from([5, 0x80]), (v, i) => seen.push([v, i]))).toBe(1);
    expect(seen).toEqual([[5, 0]]);
    expect(decodeVarints(Uint8Array.from([]))).toEqual([]);
  });

  it("gives a run's times: first, then each delta added", () => {
    const times: number[] = [];
    expect(forEachRunTime(1000, encodeVarints([50, 1, 249]), 4, (t) => times.push(t))).toBe(true);
    expect(times).toEqual([1000, 1050, 1051, 1300]);
    expect(forEachRunTime(1000, null, 4, () => times.push(-1))).toBe(false);
    expect(times).toHaveLength(4);
  });
});

describe("varints read straight from base64 text", () => {
  it("gives the same values as from the decoded bytes, whatever the padding, and stops at the count", () => {
    for (const values of [[], [0], [300], [1, 2, 3], [127, 128, 16383, 16384, 2 ** 35, VARINT_MAX], Array.from({ length: 1000 }, (_, i) => (i * 7919) % 70000)]) {
      const b64 = encodeVarints(values).toString("base64");
      expect(decodeVarints(b64), b64.slice(0, 20)).toEqual(values);
      expect(decodeVarints(b64, 2)).toEqual(values.slice(0, 2));
    }
    const times: number[] = [];
    forEachRunTime(1000, encodeVarints([50, 1, 249]).toString("base64"), 4, (t) => times.push(t));
    expect(times).toEqual([1000, 1050, 1051, 1300]);
  });
});
