/**
 * The disk side of the shacache/shadir server: blobs in the content
 * directory named by their sha512, one JSON file per shadir key in the
 * metadata directory holding `[[entry, signature], ...]` in Python's
 * `json.dumps` format (as slapproxy writes them). Every write goes to a
 * temporary file first and is renamed into place, so readers never see half
 * a blob or half a list.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { SHA512_HEX, type RawEntry } from "../entries.ts";
import type { PyValue } from "../../../core/slap/marshal/values.ts";
import { dumpsJson } from "../../../core/slap/python-json.ts";

export interface StoreDirectories {
  contentDirectory: string;
  metadataDirectory: string;
}

let sequence = 0;

function temporaryName(directory: string, what: string): string {
  return join(directory, `.${what}-${process.pid}-${Date.now()}-${sequence++}`);
}

/** A shadir key that is safe as a file name (no separators, no dot names, not hidden). */
export function isSafeKey(key: string): boolean {
  return key.length > 0 && key.length <= 1024 && !key.includes("/") && !key.includes("\0") && !key.startsWith(".");
}

export class ShacacheStore {
  constructor(readonly directories: StoreDirectories) {}

  get content(): string {
    return this.directories.contentDirectory;
  }

  get metadata(): string {
    return this.directories.metadataDirectory;
  }

  /** Path of a stored blob, or undefined. Only sha512 names are served. */
  blobPath(sha512: string): string | undefined {
    if (!SHA512_HEX.test(sha512)) return undefined;
    const path = join(this.content, sha512);
    try {
      return statSync(path).isFile() ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Store a streamed body. Returns its sha512, or undefined when `expected`
   * was given and does not match (nothing is kept then).
   */
  async storeBlob(body: ReadableStream<Uint8Array> | null, expected?: string): Promise<string | undefined> {
    mkdirSync(this.content, { recursive: true });
    const temporary = temporaryName(this.content, "upload");
    const file = await open(temporary, "w", 0o644);
    const hasher = new Bun.CryptoHasher("sha512");
    let position = 0;
    try {
      if (body) {
        for await (const chunk of body) {
          await file.write(chunk, 0, chunk.byteLength, position);
          position += chunk.byteLength;
          hasher.update(chunk);
        }
      }
      await file.close();
      const sha512 = hasher.digest("hex");
      if (expected !== undefined && expected !== sha512) {
        unlinkSync(temporary);
        return undefined;
      }
      renameSync(temporary, join(this.content, sha512));
      return sha512;
    } catch (error) {
      await file.close().catch(() => {});
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
      throw error;
    }
  }

  /** A temporary path in the content directory, for a blob fetched from upstream (renamed by `adopt`). */
  temporaryBlobPath(): string {
    mkdirSync(this.content, { recursive: true });
    return temporaryName(this.content, "upstream");
  }

  adopt(temporary: string, sha512: string): string {
    const path = join(this.content, sha512);
    renameSync(temporary, path);
    return path;
  }

  /** The stored text of a key, or undefined. */
  readDir(key: string): string | undefined {
    if (!isSafeKey(key)) return undefined;
    const path = join(this.metadata, key);
    try {
      if (!statSync(path).isFile()) return undefined;
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  }

  /** Write a key's entries (`json.dumps(entries)`). */
  writeDir(key: string, entries: unknown[]): void {
    mkdirSync(this.metadata, { recursive: true });
    const temporary = temporaryName(this.metadata, "dir");
    writeFileSync(temporary, dumpsJson(entries as never));
    renameSync(temporary, join(this.metadata, key));
  }

  /** Add one pair: "replace" keeps only it (slapproxy), "accumulate" appends it unless already there (a real shadir). */
  addEntry(key: string, pair: RawEntry, mode: "replace" | "accumulate"): void {
    if (mode === "replace") return this.writeDir(key, [pair]);
    let entries: unknown[] = [];
    const current = this.readDir(key);
    if (current !== undefined) {
      try {
        const parsed = JSON.parse(current) as unknown;
        if (Array.isArray(parsed)) entries = parsed;
      } catch {
        // a corrupt file is replaced
      }
    }
    const same = entries.some((e) => Array.isArray(e) && e[0] === pair[0] && e[1] === pair[1]);
    if (!same) entries.push(pair);
    this.writeDir(key, entries);
  }

  /** Names of the stored keys (regular files, temporaries skipped). */
  keys(): string[] {
    if (!existsSync(this.metadata)) return [];
    return readdirSync(this.metadata).filter((name) => isSafeKey(name) && statSync(join(this.metadata, name)).isFile());
  }

  removeDir(key: string): void {
    unlinkSync(join(this.metadata, key));
  }
}
