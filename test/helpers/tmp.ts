/** Temporary folders for tests, removed when the test file ends (set KEEP_TEST_DIRS=1 to keep them). */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

// Registered when a test file imports this module, so at file scope: it runs
// once after every test of the file, even for folders made in beforeAll.
afterAll(() => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty folder under the system temp dir. */
export function tempDir(prefix = "slapos-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
