/**
 * What `slapos node prune` reads to decide which shared parts are still in
 * use (node-runtime.md §1.1): "signatures", texts in which the hash (the
 * folder name) of a used shared part appears —
 *
 * - every `SW_ROOT/*\/.installed.cfg`;
 * - every `SW_ROOT/*\/bin/*` script (files that are not UTF-8 text, such as
 *   executables, are skipped as the reference skips them);
 * - the `.buildout-shared.json` and `.*signature` files of every shared part
 *   `<shared_root>/*\/*` that is not about to be pruned (a part used by a
 *   used part is used);
 * - the same for the software roots and shared roots named by every
 *   `slapos.cfg` found under the instance root (recursive slapos, e.g. a
 *   slaprunner or a theia in a partition), recursively.
 *
 * Names starting with a dot are not matched by `*`, as in Python's glob.
 * Unreadable files and folders are skipped (logged at DEBUG).
 */
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../config/slap-config.ts";
import { messageOf } from "../errors.ts";
import type { Logger } from "../log/logger.ts";

/** Path of a signature file → its text. */
export type Signatures = Map<string, string>;

/** `dir/*`, sorted, without dot-names; [] when dir cannot be listed. */
export function globStar(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith("."))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The shared parts under a shared root: `<root>/<name>/<hash>` folders. */
export function sharedParts(sharedRoot: string): string[] {
  return globStar(sharedRoot)
    .filter(isDirectory)
    .flatMap(globStar)
    .filter(isDirectory);
}

const SIGNATURE_FILE = /^\.(?:buildout-shared\.json|[\s\S]*signature)$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function readText(path: string, log: Logger): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    log.debug(`Skipping ${path}: ${messageOf(error)}`);
    return undefined;
  }
}

/**
 * Signatures of one software root and, if given, one shared root (leaving
 * out the parts in `ignored`, those this run prunes anyway).
 */
export function softwareAndSharedSignatures(
  log: Logger,
  softwareRoot: string,
  sharedRoot: string | undefined,
  ignored: ReadonlySet<string> = new Set(),
): Signatures {
  const signatures: Signatures = new Map();
  const softwares = globStar(softwareRoot).filter(isDirectory);
  for (const software of softwares) {
    const installed = join(software, ".installed.cfg");
    if (!isFile(installed)) continue;
    const text = readText(installed, log);
    if (text !== undefined) signatures.set(installed, text);
  }
  for (const software of softwares) {
    for (const script of globStar(join(software, "bin"))) {
      if (!isFile(script)) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(script);
      } catch (error) {
        log.debug(`Skipping script ${script}: ${messageOf(error)}`);
        continue;
      }
      try {
        signatures.set(script, utf8.decode(bytes));
      } catch {
        log.debug(`Skipping script ${script} that could not be decoded`);
      }
    }
  }
  if (sharedRoot) {
    for (const part of sharedParts(sharedRoot)) {
      if (ignored.has(part)) continue;
      let names: string[];
      try {
        names = readdirSync(part).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        if (!SIGNATURE_FILE.test(name)) continue;
        const path = join(part, name);
        if (!isFile(path)) continue;
        const text = readText(path, log);
        if (text !== undefined) signatures.set(path, text);
      }
    }
  }
  return signatures;
}

/** A software root (and maybe a shared root) named by a slapos.cfg found in an instance. */
export interface NestedRoots {
  softwareRoot: string;
  sharedRoot?: string;
}

/** Every `slapos.cfg` (not a folder) under `root`, top-down, without following links to folders. */
function slaposCfgFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // as os.walk: unreadable folders are skipped
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const cfg = entries.find((e) => e.name === "slapos.cfg" && !isDirectory(join(dir, e.name)));
    if (cfg) found.push(join(dir, cfg.name));
    for (const entry of entries) if (entry.isDirectory()) walk(join(dir, entry.name));
  };
  walk(root);
  return found;
}

function readNestedCfg(log: Logger, path: string): { softwareRoot: string; instanceRoot: string; sharedPartList: string[] } | undefined {
  log.debug(`Reading config at ${path}`);
  try {
    const config = SlapConfig.load(path);
    const softwareRoot = config.get("slapos", "software_root");
    const instanceRoot = config.get("slapos", "instance_root");
    if (softwareRoot === undefined || instanceRoot === undefined) throw new Error("no software_root or instance_root in [slapos]");
    const sharedPartList = (config.get("slapos", "shared_part_list") ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    return { softwareRoot, instanceRoot, sharedPartList };
  } catch (error) {
    log.debug(`Ignored config at ${path} because of error: ${messageOf(error)}`);
    return undefined;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The roots of recursive slapos installations under `instanceRoot` (walked
 * once per prune; their signatures are read again on every pass).
 */
export function nestedRoots(log: Logger, instanceRoot: string, visited = new Set<string>()): NestedRoots[] {
  if (visited.has(instanceRoot)) return [];
  visited.add(instanceRoot);
  const roots: NestedRoots[] = [];
  for (const path of slaposCfgFiles(instanceRoot)) {
    const cfg = readNestedCfg(log, path);
    if (!cfg) continue;
    let sharedRoot = cfg.sharedPartList.at(-1);
    if (sharedRoot !== undefined && !exists(sharedRoot)) {
      log.debug(`Ignoring non existant shared root ${sharedRoot} from ${path}`);
      sharedRoot = undefined;
    }
    if (!exists(cfg.softwareRoot)) log.debug(`Ignoring non existant software root ${cfg.softwareRoot} from ${path}`);
    else roots.push({ softwareRoot: cfg.softwareRoot, sharedRoot });
    if (!exists(cfg.instanceRoot)) log.debug(`Ignoring non existant instance root ${cfg.instanceRoot} from ${path}`);
    else roots.push(...nestedRoots(log, cfg.instanceRoot, visited));
  }
  return roots;
}
