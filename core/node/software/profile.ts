/**
 * SW_ROOT/H/buildout.cfg, generated once (node-runtime.md §2.3): ConfigParser
 * layout, `extends` the software release URL, the shared and build-time part
 * lists, and for a local profile in git the revision it was built from.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

function multiline(lines: string[]): string {
  return lines.join("\n\t");
}

export function softwareProfile(url: string, sharedPartList: string[], buildTimePartList: string[]): string {
  const text = [
    "[buildout]",
    `extends = ${url}`,
    `shared-part-list = ${multiline(sharedPartList)}`,
    `build-time-part-list = ${multiline(buildTimePartList)}`,
    "",
    "",
  ].join("\n");
  return text + gitNote(url, text);
}

/** `# <utc time> git revision: <describe>` when the profile is a local file in a git work tree. */
function gitNote(url: string, text: string): string {
  if (!url.startsWith("/") || !existsSync(url)) return "";
  const result = Bun.spawnSync(["git", "describe", "--all", "--long", "--dirty"], {
    cwd: dirname(url),
    stdout: "pipe",
    stderr: "ignore",
  });
  if (result.exitCode !== 0) return "";
  const revision = result.stdout.toString().trim();
  const lines = text.trimEnd().split("\n");
  if (lines[lines.length - 1].includes(revision)) return "";
  const now = new Date().toISOString().replace("T", " ").replace("Z", "000");
  return `# ${now} git revision: ${revision}\n`;
}

/** Split a newline list option (shared_part_list, build_time_part_list) into its lines. */
export function lines(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return String(value)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Whether the file already exists (it is never regenerated). */
export function profileExists(path: string): boolean {
  return existsSync(path) && readFileSync(path).length > 0;
}
