/** Hooks of the binary cache (shadir/shacache), node-runtime.md §5. */
import { bail, series } from "../declare.ts";

export interface CacheKey {
  /** Shadir key, e.g. the bare md5 of a software URL. */
  key: string;
  /** The URL the content stands for. */
  url: string;
}

export interface CacheEntry {
  /** sha512 of the content in shacache. */
  sha512: string;
  /** The signed shadir entry, as JSON text. */
  entry: string;
  signature: string;
}

export function createCacheHooks() {
  return {
    binaryCache: {
      lookup: bail<CacheKey, CacheEntry[]>("list usable cache entries for a key (signed, compatible)"),
      download: bail<CacheKey & { destination: string }, string>(
        "download the content for a key to destination; return its path",
      ),
      extract: series<{ tarball: string; destination: string }>("unpack a downloaded software tarball"),
      shouldUpload: bail<CacheKey & { path: string }, boolean>("decide whether to upload after a source build"),
      upload: bail<CacheKey & { path: string; metadata: Record<string, unknown> }, boolean>(
        "upload content and its signed entry; return true when done",
      ),
    },
  };
}
