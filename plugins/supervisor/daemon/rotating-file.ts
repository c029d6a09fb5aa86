/**
 * A log file with supervisord's rotation (loggers.RotatingFileHandler): a
 * write goes at the end; once the file reaches `maxbytes` it is renamed to
 * `.1` (older ones shift up to `.backups`) and a new file starts. maxbytes
 * 0 means it never rotates. The file is opened on first write and stays
 * open until `close()`; a write that fails (directory gone, disk full) is
 * dropped, never thrown, so a child's output can never take the daemon down.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;
  /** The last write error, for the daemon to log once. */
  lastError: string | undefined;

  constructor(
    readonly path: string,
    readonly maxbytes: number,
    readonly backups: number,
  ) {}

  private open(): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, "a");
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  write(data: Uint8Array | string): void {
    try {
      const fd = this.open();
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      this.size += bytes.length;
      this.lastError = undefined;
      if (this.maxbytes > 0 && this.size >= this.maxbytes) this.rollover();
    } catch (error) {
      this.lastError = (error as Error).message;
      this.close();
    }
  }

  private rollover(): void {
    this.close();
    if (this.backups > 0) {
      for (let i = this.backups - 1; i > 0; i--) {
        const source = `${this.path}.${i}`;
        if (existsSync(source)) renameQuietly(source, `${this.path}.${i + 1}`);
      }
      renameQuietly(this.path, `${this.path}.1`);
    } else {
      rmSync(this.path, { force: true });
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }

  /** Delete the file (clearProcessLogs); the next write starts a new one. */
  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}

function renameQuietly(source: string, target: string): void {
  try {
    renameSync(source, target);
  } catch {
    // source deleted meanwhile (e.g. a cleanup script): nothing to keep
  }
}
