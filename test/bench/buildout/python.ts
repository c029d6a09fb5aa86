/** Running the real zc.buildout 2.13 for comparison figures, offline (skipped when it is not installed). */
import { existsSync } from "node:fs";

export const PYTHON = "/usr/bin/python3";

export function haveZcBuildout(): boolean {
  return existsSync("/usr/lib/python3/dist-packages/zc/buildout/buildout.py") && existsSync(PYTHON);
}

/** Run a shell command in a fresh network namespace (no network), or as is when we cannot unshare. */
export function offline(command: string, cwd: string, env: Record<string, string> = {}) {
  const isRoot = process.getuid?.() === 0;
  const argv = isRoot ? ["unshare", "-n", "sh", "-c", `ip link set lo up 2>/dev/null; ${command}`] : ["sh", "-c", command];
  const started = performance.now();
  const run = Bun.spawnSync(argv, { cwd, env: { ...process.env, ...env } as Record<string, string>, stdout: "pipe", stderr: "pipe" });
  return { ms: performance.now() - started, code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
