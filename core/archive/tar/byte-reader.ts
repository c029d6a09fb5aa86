/**
 * Pull exact byte counts out of a stream of chunks (the decompressed
 * tarball), without holding more than one chunk plus what was asked for.
 */
export class ByteReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const rest = this.buffer.subarray(this.offset);
    if (rest.length) {
      const merged = new Uint8Array(rest.length + next.value.length);
      merged.set(rest);
      merged.set(next.value, rest.length);
      this.buffer = merged;
    } else {
      this.buffer = next.value;
    }
    this.offset = 0;
    return true;
  }

  /** Exactly `n` bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    while (this.buffer.length - this.offset < n) {
      if (!(await this.fill())) break;
    }
    const available = Math.min(n, this.buffer.length - this.offset);
    const out = this.buffer.subarray(this.offset, this.offset + available);
    this.offset += available;
    return out;
  }

  /** The next `n` bytes as they come, chunk by chunk; throws if the stream ends first. */
  async *stream(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.offset >= this.buffer.length && !(await this.fill())) throw new Error("unexpected end of archive");
      const take = Math.min(left, this.buffer.length - this.offset);
      const out = this.buffer.subarray(this.offset, this.offset + take);
      this.offset += take;
      left -= take;
      yield out;
    }
  }

  /** Skip `n` bytes. */
  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n)) {
      // discard
    }
  }
}
