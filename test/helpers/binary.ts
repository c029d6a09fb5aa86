/**
 * Drive the compiled binary (dist/slapos, built by installer/build) from
 * tests: run it to completion, or start it and keep the process.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const BINARY = resolve(ROOT, "dist/slapos");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdin?: string;
  /** Seconds before the process is killed; a test guard, not a time assertion. */
  timeout?: number;
}

function ensureBinary(): void {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run installer/build first`);
}

/** Run `dist/slapos ARGS` and collect its output. */
export async function slapos(args: string[], options: RunOptions = {}): Promise<RunResult> {
  ensureBinary();
  const child = Bun.spawn([BINARY, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env } as Record<string, string>,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), (options.timeout ?? 120) * 1000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Start `dist/slapos ARGS` in the background; the caller kills it. */
export function startSlapos(args: string[], options: RunOptions = {}) {
  ensureBinary();
  return Bun.spawn([BINARY, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env } as Record<string, string>,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}
