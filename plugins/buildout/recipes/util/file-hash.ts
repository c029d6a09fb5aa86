/** librecipe's generateHashFromFiles: md5 over each file as `<length>\n<bytes>`. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { UserError } from "./errors.ts";

export function generateHashFromFiles(paths: string[]): string {
  const hash = createHash("md5");
  for (const path of paths) {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (error) {
      throw new UserError(`cannot hash ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    hash.update(`${data.length}\n`);
    hash.update(data);
  }
  return hash.digest("hex");
}
