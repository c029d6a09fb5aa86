/**
 * Temporary folders for tests, removed when the test run ends (set
 * KEEP_TEST_DIRS=1 to keep them).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atRunEnd } from "./cleanup.ts";

const made: string[] = [];

atRunEnd(() => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty folder under the system temp dir. */
export function tempDir(prefix = "slapos-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
