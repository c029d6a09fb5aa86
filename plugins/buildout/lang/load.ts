/**
 * Building the raw configuration (the first half of zc.buildout's
 * Buildout.__init__): the [buildout] defaults, the user's default.cfg, the
 * main file and its extends, the command-line assignments, the versions
 * section, and the directory options made absolute relative to the file
 * that set them.
 */
import { existsSync } from "node:fs";
import { BuildoutError } from "./errors.ts";
import { openConfig, type OpenContext } from "./open.ts";
import { abspath, dirname, expandUser, isAbs, isUrl, join } from "./pypath.ts";
import { cmp } from "./pystr.ts";
import {
  SPECIAL_SOURCES,
  SectionKey,
  cloneSection,
  update,
  type AnnotatedConfig,
  type AnnotatedSection,
} from "./section-key.ts";
import type { FetchLimits } from "./fetch.ts";

/** zc.buildout 2.13's [buildout] defaults, in its order. */
export const BUILDOUT_DEFAULTS: ReadonlyArray<[string, string]> = [
  ["allow-hosts", "*"],
  ["allow-picked-versions", "true"],
  ["bin-directory", "bin"],
  ["develop-eggs-directory", "develop-eggs"],
  ["eggs-directory", "eggs"],
  ["executable", "/usr/bin/python3"],
  ["find-links", ""],
  ["install-from-cache", "false"],
  ["installed", ".installed.cfg"],
  ["log-format", ""],
  ["log-level", "INFO"],
  ["newest", "true"],
  ["offline", "false"],
  ["parts-directory", "parts"],
  ["prefer-final", "true"],
  ["python", "buildout"],
  ["show-picked-versions", "false"],
  ["socket-timeout", ""],
  ["update-versions-file", ""],
  ["use-dependency-links", "true"],
  ["allow-unknown-extras", "false"],
];

/** The pins zc.buildout adds to the versions section when the files do not. */
const DEFAULT_PINS: ReadonlyArray<[string, string]> = [
  ["zc.buildout", ">=2.13.2"],
  ["zc.recipe.egg", ">=2.0.6"],
];

export interface LoadRequest {
  /** Path or URL of the main file. */
  configFile: string;
  /** `section:option=value` assignments, in command-line order. */
  assignments?: Array<[section: string, option: string, value: string]>;
  /** Read ~/.buildout/default.cfg (or $BUILDOUT_HOME/default.cfg): buildout without -U. */
  userDefaults?: boolean;
  fork?: boolean;
  limits?: FetchLimits;
  transform?: OpenContext["transform"];
  /** Current directory for a relative configFile (defaults to process.cwd()). */
  cwd?: string;
}

export interface LoadedConfig {
  /** Every section, annotated with where each value comes from. */
  annotated: AnnotatedConfig;
  /** The name of the versions section ("" when disabled). */
  versionsSection: string;
  /** The main file, absolute (or the URL). */
  configFile: string;
}

function defaults(): AnnotatedSection {
  const section: AnnotatedSection = new Map();
  for (const [key, value] of BUILDOUT_DEFAULTS) section.set(key, new SectionKey(value, "DEFAULT_VALUE"));
  return section;
}

/** Command-line assignments grouped as zc.buildout does (sorted, so the greatest value of a repeated option wins). */
function commandLine(assignments: LoadRequest["assignments"]): AnnotatedConfig {
  const sorted = [...(assignments ?? [])].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]) || cmp(a[2], b[2]));
  const out: AnnotatedConfig = new Map();
  for (const [section, option, value] of sorted) {
    let target = out.get(section);
    if (!target) out.set(section, (target = new Map()));
    target.set(option, new SectionKey(value, "COMMAND_LINE_VALUE"));
  }
  return out;
}

/** Load the main file and everything it extends into annotated sections. */
export async function loadConfig(request: LoadRequest): Promise<LoadedConfig> {
  const data: AnnotatedConfig = new Map([["buildout", defaults()]]);
  const buildout = () => data.get("buildout")!;
  let configFile = request.configFile;
  if (!isUrl(configFile)) {
    configFile = abspath(configFile, request.cwd);
    if (!existsSync(configFile)) throw new BuildoutError("ExtendsNotFound", `Couldn't open ${configFile}`);
    buildout().set("directory", new SectionKey(dirname(configFile), "COMPUTED_VALUE"));
  }

  const cloptions = commandLine(request.assignments);
  const override = cloneSection(cloptions.get("buildout") ?? new Map());
  const ctx: OpenContext = {
    override,
    downloaded: new Set(),
    fork: request.fork ?? false,
    limits: request.limits,
    transform: request.transform,
  };

  if (request.userDefaults) {
    const home = process.env.BUILDOUT_HOME || join(expandUser("~"), ".buildout");
    const userConfig = join(home, "default.cfg");
    if (existsSync(userConfig)) {
      update(data, await openConfig(dirname(userConfig), userConfig, [], cloneSection(buildout()), ctx));
    }
  }
  ctx.downloaded = new Set();
  update(data, await openConfig(dirname(configFile), configFile, [], cloneSection(buildout()), ctx));
  update(data, cloptions);

  if (!buildout().has("versions")) {
    buildout().set("versions", new SectionKey("versions", "DEFAULT_VALUE"));
    if (!data.has("versions")) data.set("versions", new Map());
  }
  const versionsSection = buildout().get("versions")!.value;
  if (versionsSection) {
    const versions = data.get(versionsSection);
    if (!versions) throw new BuildoutError("MissingSection", `The referenced section, '${versionsSection}', was not defined.`);
    for (const [name, pin] of DEFAULT_PINS) if (!versions.has(name)) versions.set(name, new SectionKey(pin, "DEFAULT_VALUE"));
  }

  absolutizeCaches(buildout());
  return { annotated: data, versionsSection, configFile };
}

/** download-cache, eggs-directory and extends-cache are relative to the file that set them. */
function absolutizeCaches(section: AnnotatedSection): void {
  for (const name of ["download-cache", "eggs-directory", "extends-cache"]) {
    const key = section.get(name);
    if (!key || key.value.includes("${") || isAbs(key.value)) continue;
    const source = key.source;
    let basedir: string;
    if (SPECIAL_SOURCES.has(source)) {
      basedir = section.get("directory")?.value ?? process.cwd();
    } else {
      if (isUrl(source)) {
        throw new BuildoutError(
          "UserError",
          `Setting "${name}" to a non absolute location ("${key.value}") within a\nremote configuration file ("${source}") is ambiguous.`,
        );
      }
      basedir = dirname(source);
    }
    let dir = expandUser(key.value);
    if (!isAbs(dir)) dir = join(basedir, dir);
    key.setDirectory(abspath(dir));
  }
}
