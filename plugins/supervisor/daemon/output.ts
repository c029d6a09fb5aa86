/**
 * A process's stdout or stderr: read from its pipe and written to its log
 * file (with rotation), to the main log at debug level, and out as
 * PROCESS_LOG_* events when `*_events_enabled` (supervisord's
 * POutputDispatcher, without the capture mode).
 */
import type { EventBus } from "./events.ts";
import type { MainLog } from "./main-log.ts";
import { Level } from "./main-log.ts";
import { RotatingFile } from "./rotating-file.ts";

const decoder = new TextDecoder();

/** Remove ANSI escape sequences (supervisord's stripEscapes). */
export function stripAnsi(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString("latin1");
  // eslint-disable-next-line no-control-regex
  const stripped = text.replace(/\x1b\[[^HfABCDRsuJKhlpm]*[HfABCDRsuJKhlpm]/g, "");
  return stripped.length === text.length ? data : Buffer.from(stripped, "latin1");
}

export interface ChannelContext {
  log: MainLog;
  events: EventBus;
  stripAnsi: boolean;
  /** Name and group for events and debug lines. */
  name: string;
  group: string;
  pid: () => number;
}

export class OutputChannel {
  readonly file: RotatingFile | undefined;
  private warned = false;

  constructor(
    readonly channel: "stdout" | "stderr",
    path: string | null,
    maxbytes: number,
    backups: number,
    private readonly eventsEnabled: boolean,
    private readonly context: ChannelContext,
  ) {
    this.file = path ? new RotatingFile(path, maxbytes, backups) : undefined;
  }

  write(data: Uint8Array): void {
    if (!data.length) return;
    const ctx = this.context;
    const bytes = ctx.stripAnsi ? stripAnsi(data) : data;
    if (this.file) {
      this.file.write(bytes);
      if (this.file.lastError && !this.warned) {
        this.warned = true;
        ctx.log.warn(`could not write ${ctx.name} ${this.channel} log ${this.file.path}: ${this.file.lastError}`);
      } else if (!this.file.lastError) this.warned = false;
    }
    if (ctx.log.level <= Level.DEBG) ctx.log.debug(`'${ctx.name}' ${this.channel} output:\n${decoder.decode(bytes)}`);
    if (this.eventsEnabled) {
      const type = this.channel === "stdout" ? "PROCESS_LOG_STDOUT" : "PROCESS_LOG_STDERR";
      ctx.events.notify({
        type,
        payload: `processname:${ctx.name} groupname:${ctx.group} pid:${ctx.pid()} channel:${this.channel}\n${decoder.decode(bytes)}`,
      });
    }
  }

  /** A line the daemon itself writes into the process's log (spawn errors). */
  note(text: string): void {
    this.file?.write(text);
  }

  close(): void {
    this.file?.close();
  }

  remove(): void {
    this.file?.remove();
  }
}

/** Read a pipe until it ends, handing each chunk to `sink`; never throws. */
export async function pump(stream: ReadableStream<Uint8Array>, sink: (chunk: Uint8Array) => void): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value) sink(value);
    }
  } catch {
    // the pipe broke: the process is gone
  } finally {
    reader.releaseLock();
  }
}
