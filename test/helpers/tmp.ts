/**
 * Temporary folders for tests, removed when the test file ends (set
 * KEEP_TEST_DIRS=1 to keep them).
 */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

function removeAll(): void {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// bun test loads this module once per process, so the afterAll below belongs
// to the first test file that imports it; the exit handler catches the rest.
afterAll(removeAll);
process.on("exit", removeAll);

/** A fresh empty folder under the system temp dir. */
export function tempDir(prefix = "slapos-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
