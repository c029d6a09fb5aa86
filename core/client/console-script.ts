/**
 * `slapos console SCRIPT [ARGS...]`: run a JavaScript (or TypeScript) file
 * with the console's names in scope — as globals, so that the script's
 * functions see them too (the reference's `test_console_script_global_namespace`).
 * As the reference sets `__file__` and `sys.argv`, the script gets
 * `__file__` (the path as given), `argv` (`[SCRIPT, ...ARGS]`) and
 * `process.argv` (`[slapos, SCRIPT, ...ARGS]`, so `process.argv.slice(2)`
 * are the arguments). The script is an ES module: top-level `await` works,
 * and so do `import` statements.
 *
 * Python console scripts (the reference's) cannot run here: a `.py` file,
 * or one whose `#!` line names python, is refused in one line.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SlapError, messageOf } from "../errors.ts";

/** The first bytes of the file, to recognise a Python script by its `#!` line. */
function head(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(256);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Refuse what cannot be run, in one line. */
export function checkScript(script: string): string {
  const path = resolve(script);
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : messageOf(error);
    throw new SlapError("failure", `cannot run the console script ${script}: ${why}`);
  }
  const firstLine = head(path).split("\n")[0];
  if (/\.py[cw]?$/i.test(path) || (firstLine.startsWith("#!") && /python/i.test(firstLine))) {
    throw new SlapError(
      "failure",
      `${script} is a Python script: slapos console runs JavaScript scripts, Python console scripts are not supported (see slapos help console)`,
    );
  }
  return path;
}

/** Run the script with `names` as globals; its failure is a one-line error naming it. */
export async function runConsoleScript(script: string, args: string[], names: Record<string, unknown>): Promise<void> {
  const path = checkScript(script);
  Object.assign(globalThis, names, { __file__: script, argv: [script, ...args] });
  process.argv = [process.argv[0], script, ...args];
  try {
    await import(pathToFileURL(path).href);
  } catch (error) {
    // A file without a JavaScript extension that fails may well be a reference (Python) console script.
    const hint = /\.[cm]?[jt]sx?$/i.test(path) ? "" : " (slapos console runs JavaScript: Python console scripts are not supported)";
    throw new SlapError("failure", `${script}: ${messageOf(error)}${hint}`, { cause: error });
  }
}
