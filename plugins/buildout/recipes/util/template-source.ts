/**
 * Where a template recipe's text comes from: `inline`, or `url` checked by
 * `md5sum`; the old names `template` (an `inline:` prefix holds the text
 * itself, then an optional newline) and `rendered` for `output`.
 */
import type { BuildoutView, Options } from "../../recipe-api.ts";
import { readResource } from "./download.ts";
import { UserError } from "./errors.ts";

export interface TemplateSource {
  text: string;
  /** The path or URL read, when not inline (for includes and messages). */
  url?: string;
}

/** Read the template named by the options. */
export async function templateSource(
  buildout: BuildoutView,
  options: Options,
  urlKeys = ["url"],
  decode: (data: Buffer) => string = (data) => new TextDecoder("utf-8", { fatal: true }).decode(data),
): Promise<TemplateSource> {
  const inline = options.get("inline");
  if (inline !== undefined) return { text: inline };
  for (const key of urlKeys) {
    const url = options.get(key);
    if (url !== undefined) return { text: decode(await readResource(buildout, url, options.get("md5sum") || undefined)), url };
  }
  const legacy = options.get("template");
  if (legacy !== undefined) {
    if (legacy.startsWith("inline:")) return { text: legacy.slice("inline:".length).replace(/^\n/, "") };
    return { text: decode(await readResource(buildout, legacy, options.get("md5sum") || undefined)), url: legacy };
  }
  throw new UserError(`one of the options ${[...urlKeys, "inline"].join(", ")} is required`);
}

/** The output path: `output`, or the old `rendered`. */
export function outputPath(options: Options): string {
  const output = options.get("output") ?? options.get("rendered");
  if (!output) throw new UserError("option output is required");
  return output;
}
