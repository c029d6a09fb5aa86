/**
 * The software release's own Python ("instance python", node-runtime.md
 * §3.8): the interpreter named by the shebang of `SR/bin/buildout`, or, when
 * that shebang is `/bin/sh`, the program of an `exec <python> …` second line
 * (and, unlike the reference, the program after `/usr/bin/env`).
 */
import { closeSync, openSync, readSync, realpathSync } from "node:fs";
import { join } from "node:path";

/** Split a shell line into words (quotes and backslashes as shlex does for simple cases). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (char === "#" && !inWord) {
      break;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function firstLines(path: string, count: number): string[] {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(4096);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString("utf8").split("\n").slice(0, count);
  } finally {
    closeSync(fd);
  }
}

/**
 * The Python of the software release at `softwarePath`, or undefined. A
 * `/bin/sh` shebang without an `exec` line names no Python (the reference
 * would then run the runner with /bin/sh, which cannot work).
 */
export function instancePython(softwarePath: string | undefined): string | undefined {
  if (!softwarePath) return undefined;
  let lines: string[];
  try {
    lines = firstLines(join(softwarePath, "bin", "buildout"), 2);
  } catch {
    return undefined;
  }
  const shebang = lines[0] ?? "";
  if (!shebang.startsWith("#!")) return undefined;
  const executable = shebang.slice(2).trim().split(/\s+/)[0];
  if (!executable) return undefined;
  if (executable.endsWith("/env")) return shebang.slice(2).trim().split(/\s+/)[1];
  if (executable !== "/bin/sh") return executable;
  const words = shellWords(lines[1] ?? "");
  return words.length >= 2 && words[0] === "exec" ? words[1] : undefined;
}

/** Where the partition's `software_release` symlink points, if anywhere. */
export function softwarePathOf(partitionPath: string): string | undefined {
  try {
    return realpathSync(join(partitionPath, "software_release"));
  } catch {
    return undefined;
  }
}
