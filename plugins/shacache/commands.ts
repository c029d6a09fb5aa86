/**
 * `slapos cachelookup binary-sr|url|pypi` (format-collect-cli.md §6.7) and
 * our `slapos cache lookup` (the same as binary-sr). They ask the
 * `binaryCache.lookup` hook, so a plugin's cache backend answers them too.
 */
import type { CommandContext, CommandDef } from "../../core/cli/command.ts";
import { SlapError, messageOf } from "../../core/errors.ts";
import type { CacheEntry, CacheQuery } from "../../core/hooks/groups/cache.ts";
import { prettyTable } from "./table.ts";

// Bun's hasher, not node:crypto: every slapos start reads this file, and node:crypto is a big module to load.
const md5 = (text: string) => new Bun.CryptoHasher("md5").update(text).digest("hex");

async function lookup(ctx: CommandContext, query: CacheQuery): Promise<CacheEntry[]> {
  const entries = await ctx.hooks.binaryCache.lookup.promise(query);
  if (entries === undefined) throw new SlapError("hook-untapped", "no plugin answered hook binaryCache.lookup");
  return entries;
}

const isCode = (error: unknown, code: string) => error instanceof SlapError && error.code === code;

type SortKey = string | number | SortKey[];

/** Python's ordering of tuples and lists (element-wise, shorter first). */
function compare(a: SortKey[], b: SortKey[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const order = Array.isArray(x) && Array.isArray(y) ? compare(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (order) return order;
  }
  return 0;
}

async function binarySr(ctx: CommandContext): Promise<number> {
  const software = String(ctx.args.software_url);
  // As the reference: an argument that starts with 32 hex digits is taken, whole, as the md5.
  const key = /^[0-9a-f]{32}/.test(software) ? software : md5(software);
  let entries: CacheEntry[];
  try {
    entries = await lookup(ctx, { kind: "software", key, url: software });
  } catch (error) {
    if (isCode(error, "not-found")) ctx.log.info(`Software release not found in binary cache: ${software}`);
    else if (isCode(error, "server")) ctx.log.critical(`Problem occurred while connecting to shacache: ${messageOf(error)}`);
    else ctx.log.critical(`Error while looking object ${software}: ${messageOf(error)}`);
    return 1;
  }
  if (!entries.length) {
    ctx.log.info("Object found in cache, but has no binary entries.");
    return 0;
  }
  const rows = entries
    .map((entry) => {
      const os = Array.isArray(entry.metadata.os) ? entry.metadata.os.map(String) : [];
      return { multiarch: String(entry.metadata.multiarch ?? ""), os, entry };
    })
    .sort((a, b) => compare([a.multiarch, a.os, a.entry.verified ? 1 : 0], [b.multiarch, b.os, b.entry.verified ? 1 : 0]))
    .map(({ multiarch, os, entry }) => [
      multiarch,
      os[0] ?? "",
      os[1] ?? "",
      os[2] ?? "",
      entry.compatible ? "yes" : "no",
      entry.verified ? "yes" : "no",
    ]);
  ctx.log.info(`Software URL: ${String(entries[0]!.metadata.software_url ?? "")}`);
  ctx.log.info(`MD5:          ${key}`);
  for (const line of prettyTable(["multiarch", "distribution", "version", "id", "compatible?", "verified?"], rows)) ctx.log.info(line);
  return 0;
}

/** `url` and `pypi`: the lookup, the two log lines, and the table on stdout. */
async function generic(
  ctx: CommandContext,
  key: string,
  url: string,
  intro: string,
  column: "url" | "basename",
  onError: string,
): Promise<number> {
  const dirUrl = ctx.config.get("networkcache", "download-dir-url") ?? "";
  let entries: CacheEntry[];
  try {
    entries = await lookup(ctx, { kind: "url", key, url });
  } catch (error) {
    if (isCode(error, "not-found")) ctx.log.info("Object not found in cache.");
    else if (isCode(error, "server")) ctx.log.info("Problem to connect to shacache.");
    else {
      ctx.log.critical(`${onError}: ${messageOf(error)}`);
    }
    return 1;
  }
  if (!entries.length) {
    ctx.log.info("Object found in cache, but has no entry.");
    return 0;
  }
  const rows = entries.map((entry) => [String(entry.metadata[column] ?? ""), entry.sha512, entry.verified ? "True" : "False"]);
  ctx.log.info(intro);
  ctx.log.info(`SHADIR URL: ${dirUrl}/${key}\n`);
  process.stdout.write(prettyTable([column, "sha512", "signed"], rows).join("\n") + "\n");
  return 0;
}

const BINARY_SR_HELP =
  "You can provide either a complete URL to the software release,\nor a corresponding MD5 hash value.\n\nThe command will report which OS distribution/version have a binary\ncache of the software release, and which ones are compatible\nwith the OS you are currently running.";

function binarySrCommand(name: string): CommandDef {
  return {
    name,
    group: "cachelookup",
    summary: "perform a query to the networkcache",
    description: BINARY_SR_HELP,
    config: "node",
    args: [{ name: "software_url", help: "Your software url or MD5 hash" }],
    run: binarySr,
  };
}

export const cacheCommands: CommandDef[] = [
  binarySrCommand("cachelookup binary-sr"),
  binarySrCommand("cache lookup"),
  {
    name: "cachelookup url",
    group: "cachelookup",
    summary: "perform a query to the networkcache.",
    description: "Check if source URL is available to be downloaded from cache.",
    config: "node",
    args: [{ name: "url", help: "URL to query" }],
    run: (ctx) => {
      const url = String(ctx.args.url);
      return generic(ctx, `file-urlmd5:${md5(url)}`, url, `Software source URL: ${url}`, "url", `Error while looking object ${url}`);
    },
  },
  {
    name: "cachelookup pypi",
    group: "cachelookup",
    summary: "perform a query to the networkcache.",
    description: "Check if python package is available to be downloaded from cache.",
    config: "node",
    args: [
      { name: "name", help: "python package name" },
      { name: "version", help: "python package version" },
    ],
    run: (ctx) => {
      const name = String(ctx.args.name);
      const version = String(ctx.args.version);
      const key = `pypi:${name}=${version}`;
      return generic(ctx, key, key, `Python egg ${name} version ${version}`, "basename", `Error while looking egg ${name} version ${version}`);
    },
  },
];
