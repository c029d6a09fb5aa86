/**
 * The reference's compressLogFolder: every day folder of CSV dumps becomes
 * `<date>.tar.gz` (members `<date>/` then `<date>/<file>` in sorted order,
 * what Python's `tarfile.open(name, "w:gz").add("<date>/")` gives), written
 * atomically and streamed with core's tar writer.
 */
import { chmodSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createTarGz } from "../../../core/archive/tar/create.ts";

/** Archive the folder `source` as `<output>`, written atomically. */
export async function tarGzFolder(source: string, output: string): Promise<void> {
  const temporary = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  try {
    await createTarGz(source, temporary, basename(source));
    chmodSync(temporary, 0o644);
    renameSync(temporary, output);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Every `*-*-*` folder of `folder` becomes `<name>.tar.gz` and is removed. */
export async function compressDayFolders(folder: string): Promise<string[]> {
  const archived: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[^-]*-[^-]*-/.test(entry.name) || entry.name.startsWith(".")) continue;
    const source = join(folder, entry.name);
    const output = join(folder, `${entry.name}.tar.gz`);
    await tarGzFolder(source, output);
    rmSync(source, { recursive: true, force: true });
    archived.push(output);
  }
  return archived;
}
