// Splits a byte stream into Kafka frames: [int32 size][size bytes]. Zero-copy when a frame
// lies inside one chunk, which is the common case for requests below the socket buffer size.
// Frames are taken one at a time, so the connection decides how many it handles per turn and
// the rest stay here as the bytes that were read (no array of frames built ahead).

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Set once a size prefix is out of range; the stream can't be read past it. */
  error: string | null = null;

  /** The setting that bounds frames now, named in the error. */
  private limitName = 'socket.request.max.bytes';

  constructor(private maxFrameBytes: number) {}

  /** A new largest frame (a SASL listener reads at most sasl.server.max.receive.size until authenticated). */
  setMaxFrameBytes(n: number, limitName = 'socket.request.max.bytes'): void {
    this.maxFrameBytes = n;
    this.limitName = limitName;
  }

  /** Bytes received and not yet taken as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (this.error) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame body, or null (incomplete, or a bad size prefix: see `error`). */
  next(): Buffer | null {
    if (this.buffered < 4 || this.error) return null;
    const size = this.peekSize();
    if (size < 0 || size > this.maxFrameBytes) {
      this.error = `invalid frame size ${size} (${this.limitName} is ${this.maxFrameBytes})`;
      this.chunks = [];
      this.buffered = 0;
      return null;
    }
    if (this.buffered < 4 + size) return null;
    return this.take(4 + size).subarray(4);
  }

  /** Drops everything buffered (the connection is closing). */
  clear(): void {
    this.chunks = [];
    this.buffered = 0;
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return this.take(4, true).readInt32BE(0);
  }

  /** Removes `n` bytes from the front (or only looks, with `peek`). */
  private take(n: number, peek = false): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) {
      if (peek) return first;
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    let i = 0;
    while (copied < n) {
      const c = this.chunks[i];
      const want = Math.min(c.length, n - copied);
      c.copy(out, copied, 0, want);
      copied += want;
      if (!peek) {
        if (want === c.length) {
          i++;
        } else {
          this.chunks[i] = c.subarray(want);
        }
      } else {
        i++;
      }
    }
    if (!peek) {
      this.chunks.splice(0, i);
      this.buffered -= n;
    }
    return out;
  }
}
