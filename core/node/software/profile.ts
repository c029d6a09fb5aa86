/**
 * SW_ROOT/H/buildout.cfg, generated once (node-runtime.md §2.3): ConfigParser
 * layout, `extends` the software release URL, the shared and build-time part
 * lists, and for a local profile in git the revision it was built from.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

/** ConfigParser's writing of a value: continuation lines start with a TAB. */
function multiline(value: string): string {
  return value.replaceAll("\n", "\n\t");
}

/**
 * The generated profile, written as Python's ConfigParser writes it. The
 * part lists are the raw option values of slapos.cfg (a value starting on
 * the next line begins with a newline, kept as the reference keeps it).
 */
export function softwareProfile(url: string, sharedPartList: string, buildTimePartList: string): string {
  const text = [
    "[buildout]",
    `extends = ${url}`,
    `shared-part-list = ${multiline(sharedPartList)}`,
    `build-time-part-list = ${multiline(buildTimePartList)}`,
    "",
    "",
  ].join("\n");
  return text;
}

/**
 * `# <utc time> git revision: <describe>` to append to SW_ROOT/H/buildout.cfg
 * when the profile is a local file in a git work tree and the file's last
 * line does not already note that revision (checked at every build).
 */
export function gitNote(url: string, text: string): string {
  if (!url.startsWith("/") || !existsSync(url)) return "";
  const result = Bun.spawnSync(["git", "describe", "--all", "--long", "--dirty"], {
    cwd: dirname(url),
    stdout: "pipe",
    stderr: "ignore",
  });
  if (result.exitCode !== 0) return "";
  const revision = result.stdout.toString().trim();
  if (!revision) return "";
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines[lines.length - 1].includes(revision)) return "";
  const now = new Date().toISOString().replace("T", " ").replace("Z", "000");
  return `# ${now} git revision: ${revision}\n`;
}

/** Whether the file already exists (it is never regenerated). */
export function profileExists(path: string): boolean {
  return existsSync(path) && readFileSync(path).length > 0;
}
