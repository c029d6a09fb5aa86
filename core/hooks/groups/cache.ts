/**
 * Hooks of the binary cache (shadir/shacache), node-runtime.md §5. The two
 * calls `slapos node software` makes around a build through them are in
 * core/node/software/binary-cache.ts.
 *
 * Every hook is a bail hook: the first tap that answers wins, so a plugin
 * brings another cache backend by tapping them. The built-in backend
 * (plugins/shacache) taps at stage 100, after any plugin tapping at the
 * default stage; a plugin returns undefined to let it answer.
 *
 * Keys (libnetworkcache's usage): a compiled software release is
 * `md5(software URL)` (kind "software"), a file known by its URL is
 * `file-urlmd5:md5(URL)` (kind "url", the default).
 */
import { bail } from "../declare.ts";

/** "software": a compiled software release (download-binary-* URLs); "url": a file fetched by URL (download-* URLs). */
export type CacheKind = "software" | "url";

export interface CacheQuery {
  /** Defaults to "url". */
  kind?: CacheKind;
  /** Shadir key; defaults to md5(url) for "software", `file-urlmd5:md5(url)` for "url". */
  key?: string;
  /** The software release URL, or the URL the file stands for. */
  url: string;
  /** "software": the software root (recorded as `software_root` on upload). */
  softwareRoot?: string;
  /** "url": expected md5 hex of the content (buildout's md5sum); other content is skipped. */
  md5sum?: string;
}

export interface CacheEntry {
  /** sha512 hex of the content in shacache ("" when the entry has none). */
  sha512: string;
  /** The shadir entry as stored and signed (JSON text). */
  entry: string;
  signature: string;
  /** The entry, parsed. */
  metadata: Record<string, unknown>;
  /** The signature verifies against signature-certificate-list. */
  verified: boolean;
  /** "software": same multiarch and OS as this machine; "url": the entry's url is the one asked. */
  compatible: boolean;
}

export interface CacheDownloadInput extends CacheQuery {
  /** File path to write; it appears complete and checked, or not at all. */
  destination: string;
}

export interface CacheDownload {
  path: string;
  sha512: string;
  size: number;
}

export interface CacheExtractInput {
  tarball: string;
  /** The folder that receives `topDir` (SW_ROOT). */
  destination: string;
  /** The archive's single top folder (H). */
  topDir: string;
}

export interface CacheUploadInput extends CacheQuery {
  /** "software": the folder SW_ROOT/H (archived by the backend); "url": the file. */
  path: string;
  /** Extra shadir metadata, after the backend's own fields. */
  metadata?: Record<string, string | number | boolean | null | string[]>;
}

export function createCacheHooks() {
  return {
    binaryCache: {
      lookup: bail<CacheQuery, CacheEntry[]>(
        "list a key's entries in server order, with verified/compatible verdicts; throw code not-found for an unknown key",
      ),
      download: bail<CacheDownloadInput, CacheDownload | null>(
        "download the first verified, compatible entry's content to destination; null when the cache has none",
      ),
      extract: bail<CacheExtractInput, true>("unpack a downloaded software tarball so destination/topDir appears whole"),
      forced: bail<CacheQuery, boolean>("must this software come from the binary cache (never built)?"),
      shouldUpload: bail<CacheUploadInput, boolean>("decide whether to upload after a source build"),
      upload: bail<CacheUploadInput, boolean>("upload content and its signed entry; true when done, false when it failed"),
    },
  };
}

export type BinaryCacheHooks = ReturnType<typeof createCacheHooks>["binaryCache"];
