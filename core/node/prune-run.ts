/**
 * `slapos node prune [--dry-run] [--additional-software-directory DIR]...`
 * (node-runtime.md §1.1, format-collect-cli.md §7.4): remove the shared
 * parts (`<shared_root>/<name>/<hash>/`, shared_root being the last line of
 * `[slapos] shared_part_list`) that nothing uses any more (prune-scan.ts
 * says what "uses" means). A part used only by a removed part is unused on
 * the next pass: passes repeat until one removes nothing.
 *
 * The reference's order of checks: no `shared_part_list` → exit 255; root
 * check → exit 5; software running (its pidfile held) → exit 255, except
 * with --dry-run; then the software pidfile is held for the whole prune so
 * that `slapos node software` cannot start meanwhile.
 */
import { existsSync, statSync } from "node:fs";
import type { CommandContext } from "../cli/command.ts";
import { SLAPOS_DEFAULTS, mergeOptions, parseBoolean } from "../config/defaults.ts";
import { SlapError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { removeTree } from "./disk.ts";
import { checkRoot } from "./options.ts";
import { acquirePidfile, type RunLock } from "./pidfile.ts";
import { nestedRoots, sharedParts, softwareAndSharedSignatures, type Signatures } from "./prune-scan.ts";

export interface PruneOptions {
  sharedRoot: string;
  softwareRoot: string;
  instanceRoot: string;
  dryRun: boolean;
  additionalSoftwareDirectories: string[];
}

/** Where a part's hash appears first, or undefined when it appears nowhere. */
function usedIn(hash: string, signatures: Signatures[]): string | undefined {
  for (const group of signatures) for (const [path, text] of group) if (text.includes(hash)) return path;
  return undefined;
}

/** One pass: the parts found unused (and removed unless dry run). */
function prunePass(log: Logger, options: PruneOptions, ignored: ReadonlySet<string>, additional: string[], nested: ReturnType<typeof nestedRoots>): string[] {
  const signatures: Signatures[] = [softwareAndSharedSignatures(log, options.softwareRoot, options.sharedRoot, ignored)];
  for (const dir of additional) signatures.push(softwareAndSharedSignatures(log, dir, options.sharedRoot, ignored));
  for (const roots of nested) signatures.push(softwareAndSharedSignatures(log, roots.softwareRoot, roots.sharedRoot, ignored));
  const pruned: string[] = [];
  for (const part of sharedParts(options.sharedRoot)) {
    if (ignored.has(part)) continue;
    log.debug(`checking shared part ${part}`);
    const hash = part.slice(part.lastIndexOf("/") + 1);
    const user = usedIn(hash, signatures);
    if (user !== undefined) {
      log.debug(`It is used in ${user}`);
      continue;
    }
    if (!options.dryRun) removeTree(part);
    log.warning(`Unused shared parts at ${part}${options.dryRun ? "" : " ... removed"}`);
    pruned.push(part);
  }
  return pruned;
}

/** Prune until a pass finds nothing more; returns every part pruned (or that would be, in a dry run). */
export function doPrune(log: Logger, options: PruneOptions): string[] {
  log.warning(`Pruning shared directories at ${options.sharedRoot}`);
  const additional = options.additionalSoftwareDirectories.filter((dir) => {
    if (existsSync(dir)) return true;
    log.warning(`Additional software directory does not exist: ${dir}`);
    return false;
  });
  const nested = nestedRoots(log, options.instanceRoot);
  const ignored = new Set<string>();
  for (;;) {
    const pruned = prunePass(log, options, ignored, additional, nested);
    if (!pruned.length) break;
    for (const part of pruned) ignored.add(part);
  }
  return [...ignored];
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Take the software pidfile; a live `node software` refuses the prune (exit 255) — a dry run says so as slapgrid does (exit 10). */
function holdSoftwarePidfile(path: string, dryRun: boolean, log: Logger): RunLock | undefined {
  try {
    return acquirePidfile(path);
  } catch (error) {
    if (dryRun || !(error instanceof SlapError) || error.code !== "already-running") throw error;
    log.error("Cannot prune while software is running");
    return undefined;
  }
}

export function runPrune(ctx: CommandContext): number {
  const merged = mergeOptions(SLAPOS_DEFAULTS, ctx.config, ["slapos"]);
  const sharedPartList = String(merged.shared_part_list ?? "").split("\n").map((line) => line.trim()).filter(Boolean);
  if (!sharedPartList.length) {
    ctx.log.error("No shared_part_list options in slapos config");
    return 255;
  }
  checkRoot(parseBoolean(merged.root_check, "root_check"));
  const missing = ["instance_root", "software_root"].filter((key) => !merged[key]);
  if (missing.length) throw new SlapError("config", `Missing mandatory parameters: ${missing.join(", ")}`);
  const softwareRoot = String(merged.software_root);
  if (!existsSync(softwareRoot) || !statSync(softwareRoot).isDirectory()) {
    // The reference would find no software there and remove every shared part.
    throw new SlapError("config", `software_root ${softwareRoot} is not a directory: refusing to prune (every shared part would look unused)`);
  }
  const dryRun = Boolean(ctx.options["dry-run"]);
  const pidfile = merged.pidfile_software ? String(merged.pidfile_software) : undefined;
  const lock = pidfile ? holdSoftwarePidfile(pidfile, dryRun, ctx.log) : undefined;
  if (pidfile && !lock) return 255;
  try {
    doPrune(ctx.log, {
      sharedRoot: sharedPartList.at(-1)!,
      softwareRoot,
      instanceRoot: String(merged.instance_root),
      dryRun,
      additionalSoftwareDirectories: list(ctx.options["additional-software-directory"]),
    });
  } finally {
    lock?.release();
  }
  return 0;
}
