// {packet, 4} framing: a 4-byte big-endian length, then the payload (UTF-8 JSON here).
// A chunk is never assumed to be one frame: bytes are buffered and every complete frame drained.

export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(obj: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(obj), "utf8");
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** After an oversize length the stream is out of step: nothing after it is read as frames. */
  private failed = false;

  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drain();
  }

  /** Bytes received that do not yet form a whole frame. */
  pending(): number {
    return this.buffered;
  }

  private drain(): void {
    if (this.buffered < 4) return;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let offset = 0;
    while (buf.length - offset >= 4) {
      const len = buf.readUInt32BE(offset);
      if (len > MAX_FRAME_BYTES) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        this.onError(new Error(`frame of ${len} bytes exceeds the ${MAX_FRAME_BYTES} byte limit`));
        return;
      }
      if (buf.length - offset - 4 < len) break;
      this.onFrame(buf.subarray(offset + 4, offset + 4 + len));
      offset += 4 + len;
    }
    buf = buf.subarray(offset);
    this.chunks = buf.length > 0 ? [buf] : [];
    this.buffered = buf.length;
  }
}
