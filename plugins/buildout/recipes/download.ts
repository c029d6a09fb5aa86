/**
 * slapos.recipe.build:download and :download-unpacked.
 *
 * download: `url` (http, https, file, or a path), `md5sum`, `filename`
 * (default: the section name) in `location` (default parts/<name>), or an
 * explicit `destination` (not with `filename`); `mode` is octal. Sets
 * `target`, the file's path. Update downloads again only without md5sum.
 *
 * download-unpacked: `url`, `md5sum`, `destination` (default `location`,
 * parts/<name>), `strip-top-level-dir` (default: strip when the archive
 * holds a single folder). Sets `target` too.
 *
 * HTTP goes through the binary cache hook when a plugin answers it; a
 * checksum mismatch deletes the file and fails; nothing half-done remains.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { downloadTo } from "./util/download.ts";
import { UserError } from "./util/errors.ts";
import { octalMode } from "./util/options.ts";
import { unpack } from "./util/unpack.ts";

export const download: RecipeFactory = (buildout, name, options) => {
  const url = options.require("url");
  const md5sum = options.get("md5sum") || undefined;
  const mode = octalMode(options, "mode", undefined);
  let destination = options.get("destination") || undefined;
  let location: string | undefined;
  if (destination) {
    if (options.get("filename")) throw new UserError("'filename' can't be used with 'destination'");
  } else {
    location = options.get("location") || join(buildout.buildout.get("parts-directory") ?? "parts", name);
    options.set("location", location);
    destination = join(location, options.get("filename") || name);
  }
  options.set("target", destination);
  const target = destination;

  const fetch = async (): Promise<void> => {
    await downloadTo(buildout, url, target, md5sum);
    if (mode !== undefined) chmodSync(target, mode);
  };
  return {
    async install() {
      rmSync(target, { force: true });
      await fetch();
      return [location ?? target];
    },
    async update() {
      if (!md5sum) await fetch();
    },
  };
};

function parseStrip(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  const v = value.trim().toLowerCase();
  if (["true", "yes", "on", "1"].includes(v)) return true;
  if (["false", "no", "off", "0"].includes(v)) return false;
  throw new UserError(`strip-top-level-dir must be a boolean, got ${JSON.stringify(value)}`);
}

export const downloadUnpacked: RecipeFactory = (buildout, name, options) => {
  const url = options.require("url");
  const md5sum = options.get("md5sum") || undefined;
  const strip = parseStrip(options.get("strip-top-level-dir"));
  let destination = options.get("destination") || undefined;
  if (!destination) {
    destination = options.get("location") || join(buildout.buildout.get("parts-directory") ?? "parts", name);
    options.set("location", destination);
  }
  options.set("target", destination);
  const target = destination;

  const install = async (): Promise<string[]> => {
    mkdirSync(dirname(target), { recursive: true });
    const work = mkdtempSync(join(dirname(target), `.${name}-`));
    try {
      const archive = join(work, "archive");
      await downloadTo(buildout, url, archive, md5sum);
      const extracted = join(work, "extracted");
      mkdirSync(extracted);
      await unpack(archive, extracted);
      const entries = readdirSync(extracted);
      const single = entries.length === 1 && statSync(join(extracted, entries[0]!)).isDirectory();
      if (strip === true && !single) throw new UserError(`cannot strip the top-level directory: the archive has ${entries.length} entries at its top`);
      const root = (strip ?? single) && single ? join(extracted, entries[0]!) : extracted;
      if (existsSync(target)) rmSync(target, { recursive: true, force: true });
      renameSync(root, target);
      return [target];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  return { install, update: () => [] };
};
