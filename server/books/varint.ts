// Unsigned LEB128 varints as the replicas pack a run's times and latencies (erlang/PROTOCOL.md,
// "Varints"): 7 bits per byte, low bits first, the high bit set on every byte but a value's
// last; values 0 .. 2^53 - 1. In JSON frames a varint string is standard base64 with padding.
// Decoding uses multiplication, not bit operations (those are 32-bit in JavaScript).

/** The largest value a varint carries: what a JSON number holds exactly. */
export const VARINT_MAX = Number.MAX_SAFE_INTEGER;

/** The bytes of a base64 varint string (standard alphabet, padded); null stays null. */
export function varintBytes(b64: string | null): Uint8Array | null {
  return b64 === null ? null : Buffer.from(b64, "base64");
}

/** Varints as bytes, or as the base64 text a frame carries (read without making a buffer). */
export type Varints = Uint8Array | string;

const B64 = new Int16Array(128).fill(-1);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].entries()) B64[c.charCodeAt(0)] = i;

/** Calls `fn(byte)` for each byte of a base64 text (padding and unknown characters skipped). */
function forEachB64Byte(text: string, fn: (b: number) => boolean): void {
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B64[text.charCodeAt(i)] ?? -1;
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (!fn((acc >> bits) & 0xff)) return;
    }
  }
}

/**
 * Calls `fn(value, index)` for each varint, at most `max` of them; answers how many it read. A
 * truncated last value (high bit set on the final byte) is not reported. Base64 text is read as
 * it is, with no buffer made for it (the hot path reads every run's latencies).
 */
export function forEachVarint(bytes: Varints, fn: (v: number, i: number) => void, max = Infinity): number {
  let v = 0;
  let scale = 1;
  let count = 0;
  const byte = (b: number): boolean => {
    v += (b & 0x7f) * scale;
    if (b < 0x80) {
      fn(v > VARINT_MAX ? VARINT_MAX : v, count++);
      v = 0;
      scale = 1;
    } else scale *= 128;
    return count < max;
  };
  if (max <= 0) return 0;
  if (typeof bytes === "string") forEachB64Byte(bytes, byte);
  else for (let i = 0; i < bytes.length && byte(bytes[i]!); i++);
  return count;
}

/** The first `n` varints of `bytes` (fewer when the bytes hold fewer). */
export function decodeVarints(bytes: Varints, n = Infinity): number[] {
  const out: number[] = [];
  forEachVarint(bytes, (v) => out.push(v), n);
  return out;
}

/** Varints of `values` (negative values as 0, past 2^53 - 1 as 2^53 - 1), as the replicas write them. */
export function encodeVarints(values: Iterable<number>): Buffer {
  const bytes: number[] = [];
  for (const raw of values) {
    let v = raw < 0 || !Number.isFinite(raw) ? (raw > 0 ? VARINT_MAX : 0) : Math.min(Math.floor(raw), VARINT_MAX);
    while (v >= 128) {
      bytes.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
  }
  return Buffer.from(bytes);
}

/**
 * The times of a run's messages: `first`, then each delta added in turn (`n - 1` deltas); calls
 * `fn(time, k)` for k = 0 .. n-1. Without detail (`deltas` null) only the first and the last
 * time are known: nothing is called and false is answered.
 */
export function forEachRunTime(first: number, deltas: Varints | null, n: number, fn: (t: number, k: number) => void): boolean {
  if (deltas === null) return false;
  let t = first;
  fn(t, 0);
  forEachVarint(deltas, (d, i) => fn((t += d), i + 1), n - 1);
  return true;
}
