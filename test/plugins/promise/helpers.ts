/**
 * Real partition folders for promise tests: etc/promise executables,
 * etc/plugin Python plugins and declarations, a fake software release whose
 * bin/buildout names the machine's python3 and whose lib/ holds our test
 * GenericPromise (fixture-sr/), and, when the tests run as root, a test user
 * that owns the partitions (created here, removed when the file ends).
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PartitionCheck, PartitionCheckResult } from "../../../core/hooks/groups/promise.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import type { Plugin } from "../../../core/hooks/plugin.ts";
import { configureLogging, log } from "../../../core/log/logger.ts";
import { promisePlugin, runPartitionPromises } from "../../../plugins/promise/index.ts";
import { atRunEnd } from "../../helpers/cleanup.ts";
import { tempDir } from "../../helpers/tmp.ts";

export const FIXTURE_LIB = resolve(import.meta.dir, "fixture-sr/lib");
export const PYTHON = "/usr/bin/python3";
export const isRoot = process.getuid?.() === 0;

// Console quiet: tests read what they need from files (addLogFile) and results.
configureLogging({ level: "CRITICAL" });

function run(argv: string[]): void {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
}

/** The test user owning partitions when tests run as root (a dropped user runs the promises). */
export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

function createUser(): TestUser | undefined {
  if (!isRoot) return undefined;
  const name = `slapostp${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
  run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", name]);
  const out = Bun.spawnSync(["id", "-u", name]).stdout.toString().trim();
  const gid = Bun.spawnSync(["id", "-g", name]).stdout.toString().trim();
  return { name, uid: Number(out), gid: Number(gid) };
}

export const testUser = createUser();
// One user for every promise test file of the process (bun loads this module
// once): removed when the process ends, not after the first file.
atRunEnd(() => {
  if (testUser) Bun.spawnSync(["userdel", testUser.name]);
});

/** A temp folder the partition user can traverse. */
export function openTempDir(): string {
  const dir = tempDir("slapos-promise-");
  chmodSync(dir, 0o755);
  return dir;
}

export interface SoftwareRelease {
  path: string;
  lib: string;
  /** Exists after the release's python ran (only with `via: "sh-exec"`). */
  calledMarker: string;
}

/**
 * A software release folder: bin/buildout with a `#!/usr/bin/python3` shebang
 * ("shebang"), or a `/bin/sh` script whose second line execs a wrapper that
 * leaves a marker then runs python3 ("sh-exec"), or no bin/buildout ("none").
 */
export function softwareRelease(root: string, via: "shebang" | "sh-exec" | "none" = "shebang"): SoftwareRelease {
  const path = join(root, `software-${Math.random().toString(36).slice(2, 8)}`);
  const lib = join(path, "lib");
  mkdirSync(join(path, "bin"), { recursive: true });
  cpSync(FIXTURE_LIB, lib, { recursive: true });
  const calledMarker = join(path, "python-called");
  if (via === "shebang") {
    writeFileSync(join(path, "bin", "buildout"), `#!${PYTHON}\nprint("buildout")\n`, { mode: 0o755 });
  } else if (via === "sh-exec") {
    const wrapper = join(path, "bin", "python-wrapper");
    writeFileSync(wrapper, `#!/bin/sh\ntouch '${calledMarker}' 2>/dev/null\nexec ${PYTHON} "$@"\n`, { mode: 0o755 });
    writeFileSync(join(path, "bin", "buildout"), `#!/bin/sh\nexec ${wrapper} "$@"\n`, { mode: 0o755 });
    if (testUser) run(["chown", `${testUser.uid}:${testUser.gid}`, path]);
  }
  run(["chmod", "-R", "a+rX", path]);
  return { path, lib, calledMarker };
}

export interface PluginOptions {
  /** Minutes (a Python expression). */
  periodicity?: string;
  /** Extra lines in __init__ (e.g. "self.setTestLess()"). */
  init?: string[];
  /** Lines before `import sys` (the old slapos.cookbook layout had `import json` there). */
  before?: string[];
  /** Module-level lines after the class. */
  after?: string[];
}

export class TestPartition {
  readonly path: string;
  constructor(
    root: string,
    readonly id = "slappart0",
  ) {
    this.path = join(root, id);
    mkdirSync(join(this.path, "etc", "plugin"), { recursive: true });
    mkdirSync(join(this.path, "etc", "promise"), { recursive: true });
    this.own();
  }

  /** An etc/promise executable: a /bin/sh script with this body. */
  legacy(name: string, body: string, mode = 0o755): string {
    const path = join(this.path, "etc", "promise", name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode });
    chmodSync(path, mode);
    this.own();
    return path;
  }

  /** An etc/plugin Python plugin whose sense() runs `sense` lines; it imports GenericPromise from `lib`. */
  plugin(name: string, lib: string, sense: string[], options: PluginOptions = {}): string {
    const path = join(this.path, "etc", "plugin", name);
    const lines = [
      "# coding: utf-8",
      ...(options.before ?? []),
      "import sys",
      `sys.path[0:0] = [${JSON.stringify(lib)}]`,
      "",
      "from slapos.grid.promise.generic import GenericPromise",
      "",
      "class RunPromise(GenericPromise):",
      "  def __init__(self, config):",
      "    super(RunPromise, self).__init__(config)",
      `    self.setPeriodicity(minute=${options.periodicity ?? "2"})`,
      ...(options.init ?? []).map((l) => `    ${l}`),
      "",
      "  def sense(self):",
      ...(sense.length ? sense : ["pass"]).map((l) => `    ${l}`),
      "",
      ...(options.after ?? []),
      "",
    ];
    writeFileSync(path, lines.join("\n"), { mode: 0o644 });
    this.own();
    return path;
  }

  /** An etc/plugin/<title>.promise.json declaration. */
  declare(title: string, declaration: Record<string, unknown>): string {
    const path = join(this.path, "etc", "plugin", `${title}.promise.json`);
    writeFileSync(path, JSON.stringify(declaration));
    this.own();
    return path;
  }

  linkSoftware(sr: SoftwareRelease): void {
    symlinkSync(sr.path, join(this.path, "software_release"));
  }

  state(...parts: string[]): string {
    return join(this.path, ".slapgrid", "promise", ...parts);
  }

  resultText(title: string): string | undefined {
    const path = this.state("result", `${title}.status.json`);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }

  result(title: string): { title: string; name: string; path: string; "execution-time": number; result: { type: string; failed: boolean; date: string; message: string } } {
    const text = this.resultText(title);
    if (text === undefined) throw new Error(`no result for ${title}`);
    return JSON.parse(text);
  }

  cacheText(title: string): string | undefined {
    const path = this.state("cache", title);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }

  logText(title: string): string {
    const path = this.state("log", `${title}.log`);
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  }

  /** Give the partition to the test user (as root), as `node format` would. */
  own(): void {
    if (testUser) run(["chown", "-R", `${testUser.uid}:${testUser.gid}`, this.path]);
  }
}

/** A plugin host with the promise plugin (and any other plugins) applied. */
export async function promiseHost(...others: Plugin[]): Promise<PluginHost> {
  const host = new PluginHost();
  host.add(promisePlugin);
  for (const plugin of others) host.add(plugin);
  await host.applyAll((loaded) => ({
    config: undefined as never,
    options: {},
    log: log.child(loaded.plugin.name),
    source: loaded.source,
    command: "test",
  }));
  return host;
}

/** Check a partition's promises; test mode, forced, 5 s each unless told otherwise. */
export function check(host: PluginHost, partition: TestPartition, options: Partial<PartitionCheck> = {}): Promise<PartitionCheckResult> {
  return runPartitionPromises(host.hooks, {
    partitionId: partition.id,
    partitionPath: partition.path,
    mode: "test",
    force: true,
    timeout: 5,
    ...options,
  });
}

/** Wait until a Unix time (seconds) has passed; a guard for periodicity tests, not an assertion. */
export async function until(epochSeconds: number): Promise<void> {
  while (Date.now() / 1000 <= epochSeconds) await Bun.sleep(50);
}
