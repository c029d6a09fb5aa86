/**
 * Loading one file and, depth first, the files it extends (zc.buildout's
 * `_open`): each `extends` entry is taken relative to the file naming it (or
 * joined to its URL), the first extended file is the base, each further one
 * is merged on top, and the file itself last. A file already on the include
 * stack is refused; the same file through two branches is read twice.
 */
import { evaluateCondition } from "./condition.ts";
import { BuildoutError } from "./errors.ts";
import { fetchExtends, readLocal, type FetchLimits } from "./fetch.ts";
import { decodeText, parse, type RawConfig } from "./parser.ts";
import { dirname, isAbs, isUrl, join } from "./pypath.ts";
import { splitWords } from "./pystr.ts";
import {
  annotateSection,
  update,
  updateSection,
  type AnnotatedConfig,
  type AnnotatedSection,
} from "./section-key.ts";

export interface OpenContext {
  /** Command-line assignments to [buildout], applied to the download settings of every file. */
  override: AnnotatedSection;
  /** Files and URLs read so far this load (a URL read once is not re-tried from the network). */
  downloaded: Set<string>;
  /** The SlapOS fork's `${:_profile_base_location_}`. */
  fork: boolean;
  limits?: FetchLimits;
  /** Transforms a file's text before it is parsed (the `buildout.profile` hook). */
  transform?: (text: string, file: string) => Promise<string> | string;
}

const BOOLEANS = new Set(["true", "false"]);

/** zc.buildout's bool_option over plain values. */
export function boolOption(options: Map<string, string>, name: string, fallback?: string): boolean {
  const value = options.get(name) ?? fallback;
  if (value === undefined) throw new BuildoutError("MissingOption", `Missing option: buildout:${name}`);
  if (!BOOLEANS.has(value)) {
    throw new BuildoutError("InvalidBooleanOption", `Invalid value for '${name}' option: '${value}' (only true or false are accepted)`);
  }
  return value === "true";
}

const DOWNLOAD_SETTINGS = ["newest", "directory", "extends-cache", "offline", "install-from-cache"];

/** The few [buildout] values downloads depend on, as plain text. */
function plain(section: AnnotatedSection): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of DOWNLOAD_SETTINGS) {
    const value = section.get(key);
    if (value) out.set(key, value.value);
  }
  return out;
}

async function readSource(
  base: string,
  filename: string,
  dl: Map<string, string>,
  fallback: boolean,
  ctx: OpenContext,
): Promise<{ filename: string; base: string; bytes: Uint8Array }> {
  const settings = {
    directory: dl.get("directory") ?? "",
    cache: dl.get("extends-cache"),
    offline: dl.get("offline") === "true" || dl.get("install-from-cache") === "true",
    fallback,
    limits: ctx.limits,
  };
  if (isUrl(filename)) {
    return { filename, base: filename.slice(0, filename.lastIndexOf("/")), bytes: await fetchExtends(filename, settings) };
  }
  if (isUrl(base) && !isAbs(filename)) {
    const url = base + "/" + filename;
    return { filename: url, base: url.slice(0, url.lastIndexOf("/")), bytes: await fetchExtends(url, settings) };
  }
  const path = isUrl(base) ? filename : join(base, filename);
  return { filename: path, base: dirname(path), bytes: readLocal(path, path) };
}

/** The fork substitutes `${:_profile_base_location_}` with the folder (or URL) of the file that writes it. */
function applyProfileBase(config: RawConfig, base: string): void {
  const token = "${:_profile_base_location_}";
  for (const section of config.values()) {
    let used = false;
    for (const [key, value] of section) {
      if (value.includes(token)) {
        section.set(key, value.replaceAll(token, base));
        used = true;
      }
    }
    if (used && !section.has("_profile_base_location_")) section.set("_profile_base_location_", base);
  }
}

/**
 * Load `filename` (relative to `base`) and what it extends. `dlOptions` is
 * the shared download settings ([buildout] of the defaults and of the main
 * file, with the command line on top); it is updated as zc.buildout does.
 */
export async function openConfig(
  base: string,
  filename: string,
  seen: string[],
  dlOptions: AnnotatedSection,
  ctx: OpenContext,
): Promise<AnnotatedConfig> {
  updateSection(dlOptions, ctx.override);
  const dl = plain(dlOptions);
  const newest = boolOption(dl, "newest", "false");
  const fallback = newest && !ctx.downloaded.has(filename);
  const source = await readSource(base, filename, dl, fallback, ctx);
  filename = source.filename;
  base = source.base;
  ctx.downloaded.add(filename);
  if (seen.includes(filename)) {
    throw new BuildoutError("RecursiveExtends", `Recursive file include ${JSON.stringify(seen)} ${filename}`);
  }
  const root = seen.length === 0;
  seen.push(filename);

  let text = decodeText(source.bytes, filename);
  if (ctx.transform) text = await ctx.transform(text, filename);
  const raw = parse(text, filename, (expr, where) => evaluateCondition(expr, where, ctx.fork));
  if (ctx.fork) applyProfileBase(raw, base);

  const own = raw.get("buildout");
  const extendsValue = own?.get("extends");
  own?.delete("extends");
  if (own?.has("extended-by")) {
    throw new BuildoutError("ExtendedByUnsupported", `No-longer supported "extended-by" option found in ${filename}.`);
  }

  let result: AnnotatedConfig = new Map();
  for (const [name, section] of raw) result.set(name, annotateSection(section, filename));
  const ownAnnotated = result.get("buildout");
  if (root && ownAnnotated) updateSection(dlOptions, ownAnnotated);

  if (extendsValue) {
    const entries = splitWords(extendsValue);
    if (entries.length) {
      const merged = await openConfig(base, entries[0], seen, dlOptions, ctx);
      for (const entry of entries.slice(1)) update(merged, await openConfig(base, entry, seen, dlOptions, ctx));
      result = update(merged, result);
    }
  }
  seen.pop();
  return result;
}
