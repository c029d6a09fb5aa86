/** Run installer/install.sh with arguments (and extra environment); synchronous. */
import { join } from "node:path";
import { ROOT } from "../helpers/binary.ts";

export const INSTALL = join(ROOT, "installer", "install.sh");

export function install(args: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync([INSTALL, ...args], { env: { ...process.env, ...env } as Record<string, string>, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
