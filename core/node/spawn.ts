/**
 * How the node runs children (buildout, promises, report scripts,
 * sbin/destroy), node-runtime.md §2.5: a clean environment, stdin at EOF,
 * stderr merged into stdout, output logged line by line at INFO and kept for
 * error reports, privileges dropped to the owner of the target folder when
 * running as root, and a timeout that kills the whole process group.
 */
import { statSync } from "node:fs";
import { SlapError } from "../errors.ts";
import { log as rootLog, type Logger } from "../log/logger.ts";

const DROPPED_VARIABLES = [
  "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONY2K", "PYTHONOPTIMIZE", "PYTHONDEBUG",
  "PYTHONDONTWRITEBYTECODE", "PYTHONINSPECT", "PYTHONUNBUFFERED", "PYTHONVERBOSE", "CONFIG_SITE", "ENV",
  "LOGNAME", "TEMP", "TMP", "TMPDIR", "LANG", "LANGUAGE", "LC_ADDRESS", "LC_COLLATE", "LC_CTYPE",
  "LC_IDENTIFICATION", "LC_MEASUREMENT", "LC_MESSAGES", "LC_MONETARY", "LC_NAME", "LC_NUMERIC",
  "LC_PAPER", "LC_SOURCED", "LC_TELEPHONE", "LC_TIME",
];

/** The reference's clean environment: ours minus locale and Python variables, with HOME set. */
export function cleanEnvironment(home: string, base: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !DROPPED_VARIABLES.includes(key)) env[key] = value;
  env.HOME = home;
  env.PYTHONNOUSERSITE = "true";
  return env;
}

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Owner of a path to drop privileges to, or undefined when there is nothing
 * to drop: we are not root, or the folder is root's own. The reference
 * refuses the latter; we run as root there, because a node whose every
 * folder is root's (a base-folder node set up by root) has no other user.
 */
export function ownerToDropTo(path: string): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const { uid, gid } = statSync(path);
  if (uid === 0) return undefined;
  if (gid === 0) throw new SlapError("failure", `Dropping privileges to uid = ${uid} or gid = ${gid} is too dangerous (owner of ${path})`);
  return { uid, gid };
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Drop to this owner (root only). */
  owner?: Owner;
  /** Seconds before the whole process group is killed. */
  timeout?: number;
  logger?: Logger;
  /** Called with each output line as it comes. */
  onLine?: (line: string) => void;
  /** umask for the child (the reference uses 027 around buildout). */
  umask?: number;
}

export interface RunResult {
  code: number;
  /** stdout and stderr, merged, in arrival order. */
  output: string;
  timedOut: boolean;
}

/** Run argv to completion with the reference's rules. */
export async function runChild(argv: string[], options: RunOptions): Promise<RunResult> {
  const logger = options.logger ?? rootLog;
  // One shell wraps the child: the umask, and stderr into the same pipe so lines keep their order.
  const umask = options.umask === undefined ? "" : `umask ${options.umask.toString(8).padStart(3, "0")}; `;
  // setpriv: the child gets SIGKILL if the node dies (a node killed with -9 leaves no buildout running on
  // behind the next run's back), and, as root, drops uid, gid and supplementary groups before exec, with no way back.
  const drop = options.owner ? [`--reuid=${options.owner.uid}`, `--regid=${options.owner.gid}`, "--init-groups"] : [];
  const command = ["setpriv", ...drop, "--pdeathsig", "KILL", "/bin/sh", "-c", `${umask}exec "$@" 2>&1`, "sh", ...argv];
  let child;
  try {
    child = Bun.spawn(command, {
      cwd: options.cwd,
      env: options.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "ignore",
      detached: true, // its own process group, so a timeout kills grandchildren too
    });
  } catch (cause) {
    throw new SlapError("failure", `cannot run ${argv[0]}: ${(cause as Error).message}`, { cause });
  }
  const chunks: string[] = [];
  let pending = "";
  const emit = (text: string, final = false) => {
    pending += text;
    const lines = pending.split("\n");
    pending = final ? "" : lines.pop()!;
    for (const line of final ? lines.filter((l, i) => l || i < lines.length - 1) : lines) {
      logger.info(line);
      options.onLine?.(line);
    }
  };
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder("utf-8");
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      chunks.push(text);
      emit(text);
    }
  };
  let timedOut = false;
  const timer =
    options.timeout !== undefined
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid, "SIGSTOP");
            process.kill(-child.pid, "SIGKILL");
          } catch {
            child.kill("SIGKILL");
          }
        }, options.timeout * 1000)
      : undefined;
  await Promise.all([pump(child.stdout), child.exited]);
  if (timer) clearTimeout(timer);
  emit("", true);
  return { code: child.exitCode ?? (child.signalCode ? 128 : 1), output: chunks.join(""), timedOut };
}
