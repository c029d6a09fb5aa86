/**
 * The built-in binary cache plugin: a slapos.libnetworkcache-compatible
 * client behind the `binaryCache.*` hooks (tapped at stage 100, so a plugin
 * tapping at the default stage answers first), the shacache/shadir server on
 * the embedded master (`/shacache/...`), and the `cachelookup` commands.
 * Heavy modules are imported on first use, so that commands which never touch
 * the cache do not pay for them.
 */
import type { Context } from "hono";
import type { SlapConfig } from "../../core/config/slap-config.ts";
import { definePlugin } from "../../core/hooks/plugin.ts";
import type { Logger } from "../../core/log/logger.ts";
import type { ShacacheBackend } from "./backend.ts";
import { cacheCommands } from "./commands.ts";
import type { ShacacheServerOptions } from "./server/app.ts";

/** Built-in taps run after third-party ones. */
export const BUILTIN_STAGE = 100;

/**
 * The proxy's shacache options. The reference reads only the underscore
 * spellings, while `slapos configure local` writes hyphenated keys — [BUG]
 * fixed: both are read, from `[slapproxy]` then `[slapos]`.
 */
export function proxyShacacheOptions(config: SlapConfig, log?: Logger): ShacacheServerOptions {
  const get = (name: string) => {
    for (const section of ["slapproxy", "slapos"]) {
      for (const spelling of [name, name.replace(/_/g, "-")]) {
        const value = config.get(section, spelling)?.trim();
        if (value) return value;
      }
    }
    return undefined;
  };
  const options: ShacacheServerOptions = {
    contentDirectory: get("shacache_content_directory"),
    metadataDirectory: get("shacache_metadata_directory"),
    upstreamCacheUrl: get("shacache_upstream_cache_url"),
    upstreamDirUrl: get("shacache_upstream_dir_url"),
    log,
  };
  if (Boolean(options.contentDirectory) !== Boolean(options.metadataDirectory)) {
    // The reference crashes at startup here; we warn and answer 503.
    log?.warning("shacache needs both shacache_content_directory and shacache_metadata_directory; the /shacache routes are disabled");
  }
  return options;
}

export default definePlugin({
  name: "shacache",
  version: "1.0.0",
  apiVersion: "^1.0.0",
  commands: cacheCommands,
  apply(hooks, ctx) {
    let backend: Promise<ShacacheBackend> | undefined;
    const get = () =>
      (backend ??= Promise.all([import("./backend.ts"), import("./config.ts")]).then(
        ([{ ShacacheBackend }, { readCacheOptions }]) => new ShacacheBackend(readCacheOptions(ctx.config), ctx.log),
      ));
    const tap = { name: "shacache", stage: BUILTIN_STAGE };
    const cache = hooks.binaryCache;
    cache.lookup.tapPromise(tap, async (query) => (await get()).lookup(query));
    cache.download.tapPromise(tap, async (input) => (await get()).download(input));
    cache.extract.tapPromise(tap, async (input) => (await get()).extract(input));
    cache.forced.tapPromise(tap, async (query) => (await get()).forced(query));
    cache.shouldUpload.tapPromise(tap, async (input) => (await get()).shouldUpload(input));
    cache.upload.tapPromise(tap, async (input) => (await get()).upload(input));
    hooks.master.routes.tapPromise(tap, async ({ app }) => {
      const options = proxyShacacheOptions(ctx.config, ctx.log);
      if (!options.contentDirectory || !options.metadataDirectory) {
        // Unconfigured, the server app answers 503 to everything under /shacache: say so without loading
        // it (its store and upstream client pull in node:crypto, ~1-2 MB of the master's RSS).
        const { abort } = await import("./server/responses.ts");
        const master = app as { use(path: string, handler: (c: Context) => Response): unknown };
        master.use("/shacache/*", (c) => abort(c, 503, "Shacache not configured"));
        return;
      }
      const { createShacacheApp } = await import("./server/app.ts");
      const master = app as { route(path: string, sub: unknown): unknown };
      master.route("/shacache", createShacacheApp(options));
    });
  },
});
