/**
 * Helpers of the format tests: a network namespace of their own (never the
 * machine's interfaces), the compiled binary run inside it, users that are
 * removed afterwards, slapos.cfg files, and the command/filesystem trace
 * format logs at DEBUG.
 */
import { atRunEnd } from "../../helpers/cleanup.ts";
import { afterAll } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, type RunResult } from "../../helpers/binary.ts";

export const IS_ROOT = process.getuid?.() === 0;

function sh(command: string): { code: number; output: string } {
  const run = Bun.spawnSync(["/bin/sh", "-c", `${command} 2>&1`]);
  return { code: run.exitCode ?? 1, output: new TextDecoder().decode(run.stdout) };
}

function must(command: string): string {
  const { code, output } = sh(command);
  if (code !== 0) throw new Error(`${command}: ${output}`);
  return output;
}

export function randomTag(length = 5): string {
  return Math.random().toString(36).slice(2, 2 + length).padEnd(length, "x");
}

const namespaces: string[] = [];
const folders: string[] = [];
const userPrefixes: string[] = [];

/** Remove every namespace and test user made so far (idempotent). */
export function cleanUp(): void {
  if (!process.env.KEEP_TEST_DIRS) for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const name of namespaces.splice(0)) sh(`ip netns del ${name}`);
  for (const prefix of userPrefixes) removeUsers(prefix);
}

// bun runs every test file in one process and evaluates this module once, so each file registers its own
// cleanup (see cleanUpAfterFile); the run's end catches anything left.
atRunEnd(cleanUp);

/** Call at the top of each test file that makes namespaces or users. */
export function cleanUpAfterFile(): void {
  afterAll(cleanUp);
}

/** A fresh empty folder, removed after the test file (set KEEP_TEST_DIRS=1 to keep it). */
export function tempDir(prefix = "slapos-format-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** Delete every user and group whose name starts with `prefix`. */
export function removeUsers(prefix: string): void {
  for (const file of ["/etc/passwd", "/etc/group"]) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const name = line.split(":")[0];
      if (!name || !name.startsWith(prefix)) continue;
      sh(file === "/etc/passwd" ? `userdel ${name}` : `groupdel ${name}`);
    }
  }
}

/** A unique prefix for users the test creates; they are all removed after the file's tests. */
export function userPrefix(): string {
  const prefix = `tsu${randomTag(4)}`;
  userPrefixes.push(prefix);
  return prefix;
}

/** Create a plain user (and its group); returns its uid and gid. */
export function addUser(name: string): { uid: number; gid: number } {
  must(`useradd -M -r -s /bin/sh ${name}`);
  const fields = must(`getent passwd ${name}`).split(":");
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

export interface Netns {
  name: string;
  /** Run a shell command inside the namespace; throws on failure. */
  sh(command: string): string;
  /** Run a shell command inside; returns code and output. */
  try(command: string): { code: number; output: string };
  /** Run `slapos ARGS` inside, optionally as another user. */
  slapos(args: string[], options?: { user?: string; timeout?: number }): Promise<RunResult>;
}

/**
 * A namespace with lo up and a veth pair `eth0`/`peer0` (both up). Duplicate
 * address detection is off unless `dad` is true, so IPv6 addresses are
 * usable at once.
 */
export function createNetns(options: { dad?: boolean; base?: string } = {}): Netns {
  const name = `slapfmt-${randomTag(6)}`;
  must(`ip netns add ${name}`);
  namespaces.push(name);
  const inside = (command: string) => sh(`ip netns exec ${name} sh -c '${command.replaceAll("'", "'\\''")}'`);
  const insideMust = (command: string) => {
    const r = inside(command);
    if (r.code !== 0) throw new Error(`${command}: ${r.output}`);
    return r.output;
  };
  if (!options.dad) {
    insideMust("sysctl -qw net.ipv6.conf.all.accept_dad=0 && sysctl -qw net.ipv6.conf.default.accept_dad=0");
  }
  insideMust("ip link set lo up && ip link add eth0 type veth peer name peer0 && ip link set eth0 up && ip link set peer0 up");
  if (options.base !== "") insideMust(`ip addr add ${options.base ?? "2001:db8:1:2::abcd/64"} dev eth0`);
  return {
    name,
    sh: insideMust,
    try: inside,
    async slapos(args, runOptions = {}) {
      const argv = ["ip", "netns", "exec", name];
      if (runOptions.user) argv.push("setpriv", `--reuid=${runOptions.user}`, `--regid=${runOptions.user}`, "--init-groups");
      const child = Bun.spawn([...argv, BINARY, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const timer = setTimeout(() => child.kill("SIGKILL"), (runOptions.timeout ?? 60) * 1000);
      const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      clearTimeout(timer);
      return { code, stdout, stderr };
    },
  };
}

/** `[slapformat]` options for a run that changes nothing on the machine: no user, address, tap, tun, nor public IPv4 lookup. */
export const HANDS_OFF_FORMAT = {
  alter_user: "false",
  alter_network: "false",
  create_tap: "false",
  create_tun: "false",
  public_ipv4_lookup: "false",
} as const;

/** Write a slapos.cfg with `[slapos]` and `[slapformat]` (and extra sections); returns its path. */
export function writeConfig(dir: string, sections: Record<string, Record<string, string | number | boolean>>, name = "slapos.cfg"): string {
  const text = Object.entries(sections)
    .map(([section, values]) => `[${section}]\n${Object.entries(values).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`)
    .join("\n");
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return path;
}

const COMMANDS = /^(ip|groupadd|useradd|usermod|passwd|sysctl) /;
const FS_OPS = /^(makedirs|mkdir|chmod|chown)\(/;

/** The external commands and filesystem operations a run logged at DEBUG, in order. */
export function traceOf(stderr: string): { commands: string[]; fs: string[] } {
  const messages = stderr
    .split("\n")
    .map((line) => /^(?:\S+ \S+ )?\S+\[\d+\] DEBUG (.*)$/.exec(line)?.[1])
    .filter((m): m is string => m !== undefined);
  return { commands: messages.filter((m) => COMMANDS.test(m)), fs: messages.filter((m) => FS_OPS.test(m)) };
}
