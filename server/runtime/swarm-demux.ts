// Docker's attach stream for a container without a TTY multiplexes stdout and stderr: each
// chunk is an 8-byte header (stream type, 3 zero bytes, 4-byte big-endian length) then the
// payload. Chunks from the socket are not aligned with those records: bytes are buffered and
// every complete record drained, as the bridge frame reader does.

export type StreamType = 0 | 1 | 2; // stdin (never sent), stdout, stderr

export class DockerStreamDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onStdout: (data: Buffer) => void,
    private readonly onStderr: (data: Buffer) => void,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let offset = 0;
    while (this.buf.length - offset >= 8) {
      const type = this.buf[offset]!;
      const len = this.buf.readUInt32BE(offset + 4);
      if (type > 2 || this.buf[offset + 1] !== 0 || this.buf[offset + 2] !== 0 || this.buf[offset + 3] !== 0) {
        this.onError(new Error(`bad Docker stream header at byte ${offset}: is the container running with a TTY?`));
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.buf.length - offset - 8 < len) break;
      const payload = this.buf.subarray(offset + 8, offset + 8 + len);
      offset += 8 + len;
      if (type === 2) this.onStderr(payload);
      else this.onStdout(payload);
    }
    this.buf = offset === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(offset);
  }

  /** Bytes held that do not yet form a whole record. */
  pending(): number {
    return this.buf.length;
  }
}
