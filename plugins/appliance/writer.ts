/**
 * Writing the node's files so that a re-run can say what it changed: each
 * file is written only when its bytes differ (through a temporary file and
 * a rename, so nothing is ever half-written), and configuration files the
 * user edited since configure local wrote them are left as they are.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SlapError } from "../../core/errors.ts";

export function digest(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface Change {
  path: string;
  what: "created" | "updated";
}

export class Writer {
  readonly changes: Change[] = [];
  /** Digests of the files as this run leaves them (written or, when kept, as last written by us). */
  readonly written: Record<string, string> = {};

  constructor(private readonly previous: Record<string, string> = {}) {}

  /** Create `path` with `mode` (its missing parents 0755, so that partition and software users can go through). */
  directory(path: string, mode = 0o755): void {
    if (existsSync(path)) return;
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    mkdirSync(path, { mode });
    chmodSync(path, mode);
  }

  /** Whether the file at `path` differs from what configure local last wrote there. */
  edited(path: string): boolean {
    const previous = this.previous[path];
    return previous !== undefined && existsSync(path) && digest(readFileSync(path)) !== previous;
  }

  /**
   * Write `content` at `path`. A `guarded` file edited by hand is kept when
   * we would write the same as last time (callers refuse the other case
   * beforehand, see `refuseEdited`).
   */
  file(path: string, content: string, options: { mode?: number; guarded?: boolean } = {}): void {
    const mode = options.mode ?? 0o644;
    const exists = existsSync(path);
    const current = exists ? readFileSync(path) : undefined;
    const previous = this.previous[path];
    if (current && options.guarded && this.edited(path) && digest(content) === previous) {
      this.written[path] = previous!;
      return; // edited by hand, and our settings did not change: the edits stay
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

/**
 * Refuse, before anything is written, to overwrite a configuration file
 * the user edited when the new settings would change it.
 */
export function refuseEdited(writer: Writer, files: Array<{ path: string; content: string }>, previous: Record<string, string> = {}): void {
  for (const { path, content } of files) {
    if (writer.edited(path) && digest(content) !== previous[path]) {
      throw new SlapError(
        "config",
        `${path} was edited since configure local wrote it, and the new settings would change it: undo the edits (or remove the file) and run configure local again`,
      );
    }
  }
}
