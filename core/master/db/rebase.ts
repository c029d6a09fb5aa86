/**
 * Local software release root rebase (slap-protocol.md §4.3): when the
 * master's `local_software_release_root` moved since the database was
 * written, local software release paths under the old root are rewritten
 * under the new one — unless one root is inside the other, the URL is a
 * real URL, or the rebased file is missing while the old one exists.
 */
import type { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { Logger } from "../../log/logger.ts";
import { isoNow, writeDump } from "./dump.ts";

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Python's `os.path.relpath`, on absolute paths. */
function relpath(path: string, start: string): string {
  return relative(resolve(start), resolve(path)) || ".";
}

/** Python's `urlparse(url).scheme` is non-empty: letters, digits, + - . then a colon. */
function hasScheme(url: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url);
}

export function rebaseUrl(url: string | null, oldRoot: string, newRoot: string, log: Logger): string | null {
  if (!url || hasScheme(url)) return url;
  const rel = relpath(url, oldRoot);
  if (rel === ".." || rel.startsWith(`..${sep}`)) return url;
  const rebased = join(newRoot, rel);
  if (!isFile(rebased) && isFile(url)) {
    log.debug(`  Do not rebase because it refers to an existing file but ${rebased} does not`);
    return url;
  }
  log.debug(`  Migrate to rebased URL ${rebased}`);
  return rebased;
}

/** Compare the stored root with the configured one and rebase if needed. Runs inside a transaction. */
export function rebaseLocalSoftwareReleaseRoot(db: Database, path: string, configuredRoot: string | undefined, log: Logger): void {
  const row = db.query("SELECT value FROM config WHERE name='local_software_release_root'").get() as { value: string } | null;
  const current = row?.value ?? sep;
  const next = configuredRoot ?? sep;
  if (current === next) return;
  db.query("INSERT OR REPLACE INTO config (name, value) VALUES ('local_software_release_root', ?)").run(next);
  const rel = relpath(next, current);
  if (rel === "." || !rel.startsWith(`..${sep}`) && rel !== "..") {
    log.info(`Do not rebase any URLs because ${next} is a subpath of ${current}`);
    return;
  }
  if (rel.split(sep).every((part) => part === "..")) {
    log.info(`Do not rebase any URLs because ${next} is a superpath of ${current}`);
    return;
  }
  if (path !== ":memory:" && path !== "") {
    const backup = `${path}-backup-${isoNow()}.sql`;
    log.info(`Backuping database to ${backup}`);
    writeDump(db, backup);
  }
  log.info("Rebase URLs on local software release root path");
  log.info(`Old root path: ${current}`);
  log.info(`New root path: ${next}`);
  const software = db.query("SELECT rowid AS id, url FROM software").all() as Array<{ id: number; url: string }>;
  const updateSoftware = db.prepare("UPDATE OR REPLACE software SET url=? WHERE rowid=?");
  for (const { id, url } of software) {
    const rebased = rebaseUrl(url, current, next, log);
    if (rebased !== url) updateSoftware.run(rebased, id);
  }
  const partitions = db.query("SELECT rowid AS id, software_release FROM partition WHERE software_release IS NOT NULL").all() as Array<{
    id: number;
    software_release: string;
  }>;
  const updatePartition = db.prepare("UPDATE partition SET software_release=? WHERE rowid=?");
  for (const { id, software_release } of partitions) {
    const rebased = rebaseUrl(software_release, current, next, log);
    if (rebased !== software_release) updatePartition.run(rebased, id);
  }
}
