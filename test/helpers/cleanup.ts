/**
 * Clean-ups that must run once the whole test run ends (bun test loads a
 * helper module once for all files, and runs no process exit handlers):
 * test/setup.ts, preloaded by bunfig.toml, calls runCleanups in a global
 * afterAll.
 */
const cleanups: Array<() => void> = [];

/** Run `fn` when the test run ends (after every file). */
export function atRunEnd(fn: () => void): void {
  cleanups.push(fn);
}

export function runCleanups(): void {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      fn();
    } catch {
      // one failing clean-up must not keep the others from running
    }
  }
}
