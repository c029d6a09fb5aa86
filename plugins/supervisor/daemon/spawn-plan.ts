/**
 * What to execute for a process, decided in the daemon before spawning, as
 * supervisord's `get_execv_args` / `check_execv_args` / `_spawn_as_child`:
 * the command split with shlex, the program found on PATH, checked to
 * exist and be executable, the environment (daemon's + SUPERVISOR_* +
 * configured), the working directory and the identity to run as.
 *
 * Bun cannot fork, so the child-side steps supervisord does between fork
 * and exec are done by Bun.spawn's options (cwd, uid/gid, setsid) and by
 * two tiny execs when needed:
 * - `setpriv --init-groups` when dropping to a user, so the process gets
 *   the user's supplementary groups (Bun's uid/gid alone drops them);
 * - `/bin/sh -c 'exec 2>&1; exec "$@"'` for `redirect_stderr`, so stdout and
 *   stderr share one pipe and keep their relative order, as with
 *   supervisord's dup2.
 * Both exec in place: the pid the daemon tracks is the program's.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { shlexSplit } from "../config/shlex.ts";
import type { ProcessConfig } from "../config/types.ts";
import { lookupUser } from "../config/datatypes.ts";

/** A reason a process cannot be spawned (supervisord's ProcessException family). */
export class SpawnProblem extends Error {
  constructor(
    readonly kind: "bad-command" | "not-found" | "not-executable" | "no-permission" | "child",
    message: string,
  ) {
    super(message);
  }
}

export interface SpawnPlan {
  /** argv to hand to Bun.spawn (may start with setpriv and/or sh). */
  cmd: string[];
  /** argv[0] of the program as written in the command. */
  argv0: string;
  /** The program file that will be executed. */
  filename: string;
  env: Record<string, string>;
  cwd: string | undefined;
  uid?: number;
  gid?: number;
  umask: number | null;
  cgroup?: string;
}

function pyRepr(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Split the command and find the program: supervisord's get_execv_args. */
export function execvArgs(config: ProcessConfig, daemonPath: string | undefined): { filename: string; argv: string[] } {
  let argv: string[];
  try {
    argv = shlexSplit(config.command);
  } catch (error) {
    throw new SpawnProblem("bad-command", `can't parse command ${pyRepr(config.command)}: ${(error as Error).message}`);
  }
  if (!argv.length) throw new SpawnProblem("bad-command", "command is empty");
  const program = argv[0];
  let filename = program;
  if (!program.includes("/")) {
    const pathValue = config.environment.PATH ?? daemonPath;
    const dirs = pathValue ? pathValue.split(delimiter) : ["/bin", "/usr/bin", "/usr/local/bin"];
    for (const dir of dirs) {
      const candidate = join(dir, program);
      if (existsSync(candidate)) {
        filename = candidate;
        break;
      }
    }
  }
  checkExecutable(filename);
  return { filename, argv };
}

function checkExecutable(filename: string): void {
  let mode: number;
  let isDirectory: boolean;
  try {
    const st = statSync(filename);
    mode = st.mode;
    isDirectory = st.isDirectory();
  } catch {
    throw new SpawnProblem("not-found", `can't find command ${pyRepr(filename)}`);
  }
  if (isDirectory) throw new SpawnProblem("not-executable", `command at ${pyRepr(filename)} is a directory`);
  if (!(mode & 0o111)) throw new SpawnProblem("not-executable", `command at ${pyRepr(filename)} is not executable`);
  try {
    accessSync(filename, constants.X_OK);
  } catch {
    throw new SpawnProblem("no-permission", `no permission to run command ${pyRepr(filename)}`);
  }
}

let setprivPath: string | null | undefined;

/** util-linux's setpriv, if the machine has it (Debian: always, util-linux is essential). */
export function findSetpriv(): string | null {
  if (setprivPath === undefined) {
    setprivPath = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"].find((p) => existsSync(p)) ?? null;
  }
  return setprivPath;
}

export interface PlanContext {
  group: string;
  /** The daemon's environment (children inherit it). */
  env: Record<string, string | undefined>;
  /** [supervisord]'s serverurl fallback (first unix server, else inet). */
  serverurl: string | null;
}

/** Send the shell's own errors, then the program's stderr, to stdout; then become the program. */
const REDIRECT = 'exec 2>&1; exec "$@"';

/** Everything Bun.spawn needs, or a SpawnProblem saying why the process cannot start. */
export function planSpawn(config: ProcessConfig, context: PlanContext): SpawnPlan {
  const { filename, argv } = execvArgs(config, context.env.PATH);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(context.env)) if (v !== undefined) env[k] = v;
  env.SUPERVISOR_ENABLED = "1";
  const serverurl = config.serverurl ?? context.serverurl;
  if (serverurl) env.SUPERVISOR_SERVER_URL = serverurl;
  env.SUPERVISOR_PROCESS_NAME = config.name;
  env.SUPERVISOR_GROUP_NAME = context.group;
  Object.assign(env, config.environment);

  if (config.directory !== null) {
    let ok = false;
    try {
      ok = statSync(config.directory).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new SpawnProblem("child", `couldn't chdir to ${config.directory}: ENOENT`);
  }

  let cmd = [filename, ...argv.slice(1)];
  if (config.redirect_stderr) cmd = ["/bin/sh", "-c", REDIRECT, "supervisor", ...cmd];
  const plan: SpawnPlan = {
    cmd,
    argv0: argv[0],
    filename,
    env,
    cwd: config.directory ?? undefined,
    umask: config.umask,
    cgroup: config.cgroup ?? undefined,
  };
  if (config.uid !== null && config.uid !== process.getuid?.()) {
    if (process.getuid?.() !== 0) {
      throw new SpawnProblem("child", `couldn't setuid to ${config.uid}: Can't drop privilege as nonroot user`);
    }
    const user = lookupUser(String(config.uid));
    if (!user) throw new SpawnProblem("child", `couldn't setuid to ${config.uid}: Can't find uid ${config.uid}`);
    const setpriv = findSetpriv();
    if (setpriv) plan.cmd = [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--", ...plan.cmd];
    else {
      plan.uid = user.uid;
      plan.gid = user.gid;
    }
  }
  return plan;
}
