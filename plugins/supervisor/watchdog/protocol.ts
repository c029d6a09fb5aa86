/**
 * The listener side of supervisord's event protocol, on stdin/stdout:
 * write `READY\n`, read a header line (`ver:3.0 server:supervisor serial:N
 * pool:watchdog poolserial:N eventname:PROCESS_STATE_EXITED len:N`), read
 * `len` bytes of payload, handle, answer `RESULT 2\nOK` (or FAIL to have
 * the event buffered again), and again.
 */

export interface ListenerEvent {
  headers: Record<string, string>;
  payload: string;
}

/** `k:v k:v` → record (a value may itself contain colons). */
export function parseTokens(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of text.trim().split(/\s+/)) {
    if (!token) continue;
    const at = token.indexOf(":");
    if (at < 0) out[token] = "";
    else out[token.slice(0, at)] = token.slice(at + 1);
  }
  return out;
}

/** Reads whole events from a byte stream. */
export class EventReader {
  private buffer = Buffer.alloc(0);
  private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> };

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader() as unknown as { read(): Promise<{ done: boolean; value?: Uint8Array }> };
  }

  private async fill(): Promise<boolean> {
    const { done, value } = await this.reader.read();
    if (done || !value) return false;
    this.buffer = Buffer.concat([this.buffer, value]);
    return true;
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<ListenerEvent | undefined> {
    let newline: number;
    while ((newline = this.buffer.indexOf(0x0a)) < 0) if (!(await this.fill())) return undefined;
    const headers = parseTokens(this.buffer.subarray(0, newline).toString("utf8"));
    this.buffer = this.buffer.subarray(newline + 1);
    // len counts characters (supervisord measures the str); read until that many have arrived.
    const length = Number(headers.len ?? "0");
    for (;;) {
      const text = this.buffer.toString("utf8");
      const chars = [...text];
      if (chars.length >= length) {
        const payload = chars.slice(0, length).join("");
        this.buffer = this.buffer.subarray(Buffer.byteLength(payload));
        return { headers, payload };
      }
      if (!(await this.fill())) return undefined;
    }
  }
}

export function ready(): string {
  return "READY\n";
}

export function result(ok: boolean): string {
  const body = ok ? "OK" : "FAIL";
  return `RESULT ${body.length}\n${body}`;
}
