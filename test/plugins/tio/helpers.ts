/**
 * A small node for collect tests: an instance root with partition folders,
 * a slapos.cfg, and (as root) partition users made for the test file and
 * removed after it; processes the test starts as those users are killed at
 * the end.
 */
import { afterAll } from "bun:test";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { Logger } from "../../../core/log/logger.ts";
import { collectConfig, type CollectConfig } from "../../../plugins/tio/config.ts";
import { atRunEnd } from "../../helpers/cleanup.ts";
import { tempDir } from "../../helpers/tmp.ts";

export const isRoot = process.getuid?.() === 0;
export const log = new Logger("test");

const users: string[] = [];
const children: ChildProcess[] = [];

/** Kill the processes tests started and remove the users they made. */
export function cleanUp(): void {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const name of users.splice(0)) Bun.spawnSync(["userdel", name]);
}

// bun test loads this module once for every file: each file registers
// cleanUp itself (afterAll(cleanUp)); these catch what is left.
afterAll(cleanUp);
atRunEnd(cleanUp);

export interface TestNode {
  root: string;
  instanceRoot: string;
  cfgPath: string;
  partitions: string[];
  /** Partition user names, `<base><N>`. */
  userNames: string[];
  /** uid/gid of each partition user (as root with users), else undefined. */
  ids: Array<{ uid: number; gid: number } | undefined>;
  config(): CollectConfig;
}

export interface NodeOptions {
  partitions?: number;
  /** Create the partition users (root only) and give them their folders. */
  withUsers?: boolean;
  /** Owner of every partition folder (the non-root node's single user). */
  folderOwner?: { uid: number; gid: number };
  /** `[collect] cpu_sample_interval` (default 0.5). */
  cpuSampleInterval?: number;
  /** Extra lines appended to slapos.cfg (in [collect]). */
  extra?: string;
}

let nodeCount = 0;

export function makeNode(options: NodeOptions = {}): TestNode {
  const amount = options.partitions ?? 2;
  const root = tempDir("slapos-tio-");
  chmodSync(root, 0o755);
  const instanceRoot = join(root, "inst");
  mkdirSync(instanceRoot, { mode: 0o755 });
  chmodSync(instanceRoot, 0o755);
  const base = `tio${process.pid % 10000}n${nodeCount++}u`;
  const partitions: string[] = [];
  const userNames: string[] = [];
  const ids: TestNode["ids"] = [];
  for (let i = 0; i < amount; i++) {
    const path = join(instanceRoot, `slappart${i}`);
    mkdirSync(path, { mode: 0o750 });
    partitions.push(path);
    userNames.push(`${base}${i}`);
    if (options.withUsers && isRoot) {
      const name = `${base}${i}`;
      const made = Bun.spawnSync(["useradd", "--system", "--no-create-home", "--home-dir", path, "--shell", "/usr/sbin/nologin", "--user-group", name]);
      if (made.exitCode !== 0) throw new Error(`useradd ${name}: ${made.stderr.toString()}`);
      users.push(name);
      const uid = Number(Bun.spawnSync(["id", "-u", name]).stdout.toString().trim());
      const gid = Number(Bun.spawnSync(["id", "-g", name]).stdout.toString().trim());
      chownSync(path, uid, gid);
      ids.push({ uid, gid });
    } else {
      if (options.folderOwner) chownSync(path, options.folderOwner.uid, options.folderOwner.gid);
      ids.push(undefined);
    }
  }
  if (options.folderOwner) {
    chownSync(root, options.folderOwner.uid, options.folderOwner.gid);
    chownSync(instanceRoot, options.folderOwner.uid, options.folderOwner.gid);
  }
  const cfgPath = join(root, "slapos.cfg");
  writeFileSync(
    cfgPath,
    [
      "[slapos]",
      `instance_root = ${instanceRoot}`,
      "software_root = /opt/slapgrid",
      "computer_id = COMP-TIO",
      "master_url = http://127.0.0.1:9",
      "root_check = False",
      "",
      "[slapformat]",
      `partition_amount = ${amount}`,
      `user_base_name = ${base}`,
      "partition_base_name = slappart",
      "",
      "[collect]",
      `cpu_sample_interval = ${options.cpuSampleInterval ?? 0.5}`,
      options.extra ?? "",
      "",
    ].join("\n"),
  );
  return {
    root,
    instanceRoot,
    cfgPath,
    partitions,
    userNames,
    ids,
    config: () => collectConfig(SlapConfig.load(cfgPath)),
  };
}

/** Start a process (shell command) in a folder, optionally as another user; killed after the file. */
export function startProcess(command: string, cwd: string, as?: { uid: number; gid: number }, env: Record<string, string> = {}): ChildProcess {
  const child = spawn("sh", ["-c", command], { cwd, uid: as?.uid, gid: as?.gid, stdio: "ignore", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  children.push(child);
  return child;
}

/** A test user (root only) that owns `paths`, removed after the file. */
export function makeUser(prefix = "tioown"): { name: string; uid: number; gid: number } {
  const name = `${prefix}${process.pid % 10000}${users.length}`;
  const made = Bun.spawnSync(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", name]);
  if (made.exitCode !== 0) throw new Error(`useradd ${name}: ${made.stderr.toString()}`);
  users.push(name);
  const uid = Number(Bun.spawnSync(["id", "-u", name]).stdout.toString().trim());
  const gid = Number(Bun.spawnSync(["id", "-g", name]).stdout.toString().trim());
  return { name, uid, gid };
}

/** Wait until a condition holds (a guard, not a time assertion). */
export async function until(condition: () => boolean, what: string, seconds = 10): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
