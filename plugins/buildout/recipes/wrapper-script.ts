/**
 * The text of a slapos.cookbook:wrapper launcher.
 *
 * The simple form (no wait, pidfile, tmpfs, cpu or redirect) is byte for
 * byte librecipe's createWrapper shell script. Upstream writes a Python
 * script calling `generic_exec` for the other features; a native node has
 * no such Python, so the same features are written as POSIX shell around
 * the same final `exec` line (see README: private-tmpfs needs util-linux
 * `unshare`; redirect-* appends to the files but does not reopen them on
 * the signal).
 */
import { shellQuote } from "../py/shlex.ts";

export interface WrapperSpec {
  args: string[];
  environment: Record<string, string>;
  sigIgn?: string;
  waitFor?: string[];
  pidfile?: string;
  privateTmpfs?: Array<[size: string, path: string]>;
  reserveCpu?: boolean;
  /** [signal, stdout, stderr], as upstream's `redirect` keyword. */
  redirect?: [string | undefined, string | undefined, string | undefined];
}

function execLines(lines: string[], args: string[]): void {
  lines.push("exec");
  const words = args.map(shellQuote);
  words.push('"$@"');
  for (const word of words) {
    if (lines[lines.length - 1]!.length < 40) lines[lines.length - 1] += " " + word;
    else {
      lines[lines.length - 1] += " \\";
      lines.push("\t" + word);
    }
  }
}

function isSimple(spec: WrapperSpec): boolean {
  return !(spec.waitFor?.length || spec.pidfile || spec.privateTmpfs?.length || spec.reserveCpu || spec.redirect);
}

/** The launcher script. */
export function wrapperScript(spec: WrapperSpec): string {
  const lines = ["#!/bin/sh -e"];
  let sigIgn = spec.sigIgn;
  if (spec.redirect && !sigIgn) sigIgn = "USR1";
  if (sigIgn) lines.push(`trap '' ${sigIgn}`);
  for (const key of Object.keys(spec.environment).sort()) {
    lines.push(`export ${key}=${shellQuote(spec.environment[key]!)}`);
  }
  if (isSimple(spec)) {
    execLines(lines, spec.args);
    lines.push("");
    return lines.join("\n");
  }
  if (spec.pidfile) lines.push(...pidfileLines(spec.pidfile, spec.args));
  if (spec.reserveCpu) lines.push('echo $$ >> "$HOME/.slapos-cpu-exclusive"');
  if (spec.waitFor?.length) {
    lines.push(
      `for f in ${spec.waitFor.map(shellQuote).join(" ")}; do`,
      '  while [ ! -e "$f" ] && [ ! -L "$f" ]; do sleep 0.1; done',
      "done",
    );
  }
  if (spec.redirect) {
    const [, stdout, stderr] = spec.redirect;
    if (stdout) lines.push(`exec >> ${shellQuote(stdout)}`);
    if (stderr) lines.push(stderr === stdout ? "exec 2>&1" : `exec 2>> ${shellQuote(stderr)}`);
  }
  let args = spec.args;
  if (spec.privateTmpfs?.length) {
    // Mount as root of a new user namespace, then enter a nested one that
    // maps our own uid back, so the program runs as its real user.
    const mounts = spec.privateTmpfs.flatMap(([size, path]) => [size, path]);
    const inner =
      'u=$1 g=$2; shift 2; while [ "$1" != -- ]; do mkdir -p -- "$2"; mount -t tmpfs -o "size=$1" tmpfs "$2"; shift 2; done; shift; ' +
      'exec unshare --user --map-user="$u" --map-group="$g" -- "$@"';
    lines.push('u=$(id -u) g=$(id -g)');
    args = ["unshare", "--user", "--map-root-user", "--mount", "--", "/bin/sh", "-ec", inner, "sh"];
    lines.push(
      "exec " +
        [...args.map(shellQuote), '"$u"', '"$g"', ...mounts.map(shellQuote), "--", ...spec.args.map(shellQuote), '"$@"'].join(" "),
    );
    lines.push("");
    return lines.join("\n");
  }
  execLines(lines, args);
  lines.push("");
  return lines.join("\n");
}

/** generic_exec's pidfile: refuse to start when the recorded pid runs the same command, else record ours. */
function pidfileLines(pidfile: string, args: string[]): string[] {
  return [
    `pidfile=${shellQuote(pidfile)}`,
    "nl='",
    "'",
    `expected=$(printf '%s\\n' ${args.map(shellQuote).join(" ")})`,
    'if [ -s "$pidfile" ]; then',
    '  pid=$(cat "$pidfile")',
    '  running=$(tr \'\\0\' \'\\n\' 2>/dev/null < "/proc/$pid/cmdline") || running=',
    '  case "$nl$running$nl" in',
    '    *"$nl$expected$nl"*) echo "Already running with pid $pid." >&2; exit 1;;',
    "  esac",
    "fi",
    'echo $$ > "$pidfile"',
  ];
}
