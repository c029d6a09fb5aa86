/**
 * The files `slapos node register` leaves in the configuration directory
 * DIR (format-collect-cli.md §5.1 steps 4–5): DIR (0711), DIR/ssl (0711),
 * DIR/ssl/partition_pki (0711), DIR/ssl/key and DIR/ssl/certificate
 * (0600), DIR/slapos.cfg; a former DIR holding a slapos.cfg is kept as
 * DIR.old (then DIR.old.1, DIR.old.2, …).
 *
 * Unlike the reference, nothing is half-written: everything is first
 * written into a staging folder beside DIR, then moved into place with
 * renames, so an error leaves the former configuration as it was.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, normalize } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import { reprString } from "../../slap/python-repr.ts";

export interface NodeFiles {
  /** The configuration directory (normalised). */
  dir: string;
  keyFile: string;
  certFile: string;
  certificateRepositoryPath: string;
  configFile: string;
}

export function nodeFiles(dir: string): NodeFiles {
  const d = normalize(dir).replace(/(.)\/+$/, "$1");
  return {
    dir: d,
    keyFile: join(d, "ssl", "key"),
    certFile: join(d, "ssl", "certificate"),
    certificateRepositoryPath: join(d, "ssl", "partition_pki"),
    configFile: join(d, "slapos.cfg"),
  };
}

const READ_AND_SEARCH = 0o055; // g+rx, o+rx

/** Every ancestor of dir but `/` gets g+rx and o+rx, so that partition users can read the configuration. */
export function openAncestors(dir: string): void {
  for (let parent = dirname(dir); dirname(parent) !== parent; parent = dirname(parent)) {
    if (!existsSync(parent)) continue;
    const mode = statSync(parent).mode & 0o7777;
    if ((mode & READ_AND_SEARCH) !== READ_AND_SEARCH) chmodSync(parent, mode | READ_AND_SEARCH);
  }
}

/**
 * Where the former configuration goes: DIR.old, else DIR.old.1, .2, …
 * [BUG] fixed: the reference increments the last digit only, so after
 * `.old.19` comes `.old.110`.
 */
export function backupName(dir: string): string {
  const first = `${dir}.old`;
  if (!existsSync(first)) return first;
  for (let n = 1; ; n++) if (!existsSync(`${first}.${n}`)) return `${first}.${n}`;
}

export interface Contents {
  key: string;
  certificate: string;
  configuration: string;
}

function mkdir0711(path: string): void {
  mkdirSync(path);
  chmodSync(path, 0o711);
}

function writePrivate(path: string, text: string, mode: number): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
}

/** The reference's log lines, in its order, for what is (or, in dry-run, would be) created. */
function announce(files: NodeFiles, log: Logger): void {
  if (!existsSync(files.dir)) log.info(`Creating directory: ${files.dir}`);
  if (!existsSync(join(files.dir, "ssl"))) log.info(`Creating directory: ${join(files.dir, "ssl")}`);
  for (const path of [files.keyFile, files.certFile]) log.info(`Copying to ${reprString(path)}, and setting minimum privileges`);
  if (!existsSync(files.certificateRepositoryPath)) log.info(`Creating directory: ${files.certificateRepositoryPath}`);
}

/** Move the staged tree into DIR: whole when DIR is new or backed up, piece by piece into a DIR without slapos.cfg. */
function install(staging: string, files: NodeFiles, log: Logger): void {
  if (existsSync(files.configFile)) {
    const saved = backupName(files.dir);
    log.info(`Former slapos configuration detected in ${files.dir} moving to ${saved}`);
    renameSync(files.dir, saved);
  }
  if (!existsSync(files.dir)) {
    renameSync(staging, files.dir);
    return;
  }
  const ssl = join(files.dir, "ssl");
  if (!existsSync(ssl)) renameSync(join(staging, "ssl"), ssl);
  else {
    renameSync(join(staging, "ssl", "key"), files.keyFile);
    renameSync(join(staging, "ssl", "certificate"), files.certFile);
    if (!existsSync(files.certificateRepositoryPath)) renameSync(join(staging, "ssl", "partition_pki"), files.certificateRepositoryPath);
  }
  renameSync(join(staging, "slapos.cfg"), files.configFile);
  rmSync(staging, { recursive: true, force: true });
}

/** Write the node's configuration directory; with dryRun only the ancestors' modes change. */
export function writeNodeFiles(files: NodeFiles, contents: Contents, options: { dryRun: boolean; log: Logger }): void {
  const { log } = options;
  const parent = dirname(files.dir);
  if (!existsSync(parent)) throw new SlapError("config", `cannot create ${files.dir}: ${parent} does not exist`);
  openAncestors(files.dir);
  announce(files, log);
  if (options.dryRun) {
    log.info(`SlapOS configuration written to ${files.configFile}`);
    return;
  }
  let staging: string | undefined;
  try {
    staging = mkdtempSync(join(parent, `.${basename(files.dir)}.register-`));
    chmodSync(staging, 0o711);
    mkdir0711(join(staging, "ssl"));
    mkdir0711(join(staging, "ssl", "partition_pki"));
    writePrivate(join(staging, "ssl", "key"), contents.key, 0o600);
    writePrivate(join(staging, "ssl", "certificate"), contents.certificate, 0o600);
    writePrivate(join(staging, "slapos.cfg"), contents.configuration, 0o644);
    install(staging, files, log);
    staging = undefined;
  } catch (error) {
    throw new SlapError("failure", `cannot write the configuration in ${files.dir}: ${messageOf(error)}`, { cause: error });
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
  log.info(`SlapOS configuration written to ${files.configFile}`);
}
