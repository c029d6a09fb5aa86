/** Temporary folders for tests, removed when the test file ends. */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];
let hooked = false;

/** A fresh empty folder under the system temp dir. */
export function tempDir(prefix = "slapos-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    afterAll(() => {
      if (process.env.KEEP_TEST_DIRS) return;
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
