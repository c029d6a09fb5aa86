/**
 * Writing the node's files so that a re-run can say what it changed: each
 * file is written only when its bytes differ (through a temporary file and
 * a rename, so nothing is ever half-written), and configuration files the
 * user edited since configure local wrote them are left as they are.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function digest(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface Change {
  path: string;
  what: "created" | "updated" | "kept as edited";
}

export class Writer {
  readonly changes: Change[] = [];
  /** Digests of the files as this run leaves them (written or, when kept, as last written by us). */
  readonly written: Record<string, string> = {};

  constructor(private readonly previous: Record<string, string> = {}) {}

  directory(path: string, mode = 0o755): void {
    if (existsSync(path)) return;
    mkdirSync(path, { recursive: true, mode });
    chmodSync(path, mode);
  }

  /**
   * Write `content` at `path`. A `guarded` file that differs from what we
   * last wrote there was edited by hand: it is kept, and the change is
   * reported as such.
   */
  file(path: string, content: string, options: { mode?: number; guarded?: boolean } = {}): void {
    const mode = options.mode ?? 0o644;
    const exists = existsSync(path);
    const current = exists ? readFileSync(path) : undefined;
    const previous = this.previous[path];
    if (current && options.guarded && previous !== undefined && digest(current) !== previous) {
      this.written[path] = previous;
      if (digest(content) !== previous) this.changes.push({ path, what: "kept as edited" });
      return;
    }
    this.written[path] = digest(content);
    if (current?.equals(Buffer.from(content))) {
      if ((lstatSync(path).mode & 0o7777) !== mode) chmodSync(path, mode);
      return;
    }
    this.directory(dirname(path));
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, content, { mode });
    chmodSync(temporary, mode);
    renameSync(temporary, path);
    this.changes.push({ path, what: exists ? "updated" : "created" });
  }

  /** A symlink at `path` to `target` when nothing is there (the reference's rule for the client configuration). */
  link(path: string, target: string): void {
    try {
      lstatSync(path);
      return; // a link or a file of the user's: kept
    } catch {
      // absent
    }
    this.directory(dirname(path), 0o700);
    symlinkSync(target, path);
    this.changes.push({ path, what: "created" });
  }
}
