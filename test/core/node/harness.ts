/**
 * A whole node for the slapgrid tests, with real processes only: our
 * master in-process (a recording middleware on `master.routes` keeps every
 * call, and `master.computer` lets a test alter the computer document),
 * partitions made by `dist/slapos node format` (definition-file mode), the
 * node commands run through `dist/slapos`, the supervisor they launch, and
 * tiny software releases written by the test (native recipes only).
 */
import { atRunEnd } from "../../helpers/cleanup.ts";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { createHooks } from "../../../core/hooks/catalogue.ts";
import { startMaster, type RunningMaster } from "../../../core/master/index.ts";
import { Logger, type LevelName } from "../../../core/log/logger.ts";
import { softwareHash } from "../../../core/node/paths.ts";
import { SlapClient } from "../../../core/slap/client.ts";
import { PyObject as PyObjectClass, type PyDict, type PyObject, type PyValue } from "../../../core/slap/marshal/values.ts";
import { standaloneDefinition } from "../../../plugins/format/definition.ts";
import { supervisorClient } from "../../../plugins/supervisor/api.ts";
import { slapos, type RunResult } from "../../helpers/binary.ts";

/** One call the master received: its path without the slash, and its query or form fields. */
export interface Call {
  method: string;
  path: string;
  fields: Record<string, string>;
}

export interface NodeRunResult extends RunResult {
  /** Every call the master received during this run, in order. */
  calls: Call[];
}

export interface NodeOptions {
  partitions?: number;
  /** certificate_repository_path set (the node then fetches partition certificates). */
  certificates?: boolean;
  /** More lines for [slapos]. */
  slapos?: string;
  /** More sections. */
  extra?: string;
  computerId?: string;
}

class QuietLogger extends Logger {
  override log(_level: LevelName, _message: string): void {}
}

const running: Node[] = [];

/**
 * Stop every node made so far (its supervisor, its programs, its master),
 * then remove their folders (KEEP_TEST_DIRS=1 keeps them). Each test file
 * calls it in afterAll.
 */
export async function stopNodes(): Promise<void> {
  const nodes = running.splice(0);
  await Promise.all(nodes.map((node) => node.stop()));
  const folders = [...nodes.map((node) => node.dir), ...scratch.splice(0)];
  if (!process.env.KEEP_TEST_DIRS) for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}

const scratch: string[] = [];

/** A temporary folder (for releases, plugin files) removed by stopNodes. */
export function scratchDir(prefix = "slapgrid-tmp-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

// A file that forgot, or a run cut short: no supervisor is left behind.
atRunEnd(() => {
  for (const node of running) node.kill();
});

export class Node {
  readonly soft: string;
  readonly inst: string;
  readonly certs: string;
  readonly cfg: string;
  calls: Call[] = [];
  /** Alter the computer document the master answers (getFullComputerInformation). */
  computer: (doc: PyObject) => PyObject = (doc) => doc;

  /** Alter one partition's state dictionary in every computer document the master answers. */
  alterPartition(id: string, change: (state: PyDict) => void): void {
    const previous = this.computer;
    this.computer = (doc) => {
      const out = previous(doc);
      for (const item of (out.state._computer_partition_list as PyValue[] | undefined) ?? []) {
        if (item instanceof PyObjectClass && item.state._partition_id === id) change(item.state);
      }
      return out;
    };
  }
  /** Answer this status instead of the master (e.g. 503), for these paths. */
  outage?: { status: number; paths?: string[] };
  readonly client: SlapClient;

  private constructor(
    readonly dir: string,
    readonly master: RunningMaster,
    readonly computerId: string,
  ) {
    this.soft = join(dir, "soft");
    this.inst = join(dir, "inst");
    this.certs = join(dir, "certs");
    this.cfg = join(dir, "slapos.cfg");
    this.client = new SlapClient({ masterUrl: master.url });
  }

  /** A node with its master and formatted partitions (owned by root: no privilege drop). */
  static async create(options: NodeOptions = {}): Promise<Node> {
    // not tempDir(): these folders must outlive its cleanup until the supervisor is stopped (stopNodes)
    const dir = mkdtempSync(join(tmpdir(), "slapgrid-"));
    const computerId = options.computerId ?? "COMP-0";
    const hooks = createHooks();
    let node: Node | undefined;
    hooks.master.routes.tap("recorder", ({ app }) => {
      (app as Hono).use("*", async (c, next) => {
        const url = new URL(c.req.url);
        const body = c.req.method === "POST" ? await c.req.raw.clone().text() : "";
        const fields = Object.fromEntries(new URLSearchParams(c.req.method === "POST" ? body : url.search));
        const path = url.pathname.replace(/^\//, "");
        node?.calls.push({ method: c.req.method, path, fields });
        if (node?.outage && (!node.outage.paths || node.outage.paths.includes(path))) {
          return c.text("outage", node.outage.status as 503);
        }
        await next();
      });
    });
    hooks.master.computer.tap("test", (doc) => (node ? node.computer(doc) : doc));
    const master = await startMaster({
      settings: { computerId, databaseUri: join(dir, "master.db"), port: 0 },
      hooks,
      log: new QuietLogger(),
    });
    node = new Node(dir, master, computerId);
    running.push(node);
    const partitions = options.partitions ?? 1;
    writeNodeFolder(dir, {
      masterUrl: master.url,
      computerId,
      partitions,
      slapos: `${options.certificates ? `certificate_repository_path = ${node.certs}\n` : ""}${options.slapos ?? ""}`,
      extra: options.extra,
    });
    if (partitions > 0) {
      const format = await node.slapos(["node", "format", "--now"]);
      if (format.code !== 0) throw new Error(`node format failed: ${format.stderr}`);
    }
    return node;
  }

  /** `dist/slapos ARGS` with this node's configuration. */
  slapos(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return slapos(args, { env: { SLAPOS_CONFIGURATION: this.cfg, SLAPOS_CLIENT_CONFIGURATION: this.cfg, ...env } });
  }

  /** `slapos node <kind> --now ARGS`, with the calls the master received meanwhile. */
  async node(kind: "software" | "instance" | "report" | "promise", ...args: string[]): Promise<NodeRunResult> {
    this.calls = [];
    const result = await this.slapos(["node", kind, "--now", ...args]);
    return { ...result, calls: [...this.calls] };
  }

  /** Call paths without the node's probe (getHateoasUrl, which every run starts with). */
  static paths(calls: Call[]): string[] {
    return calls.map((c) => c.path).filter((p) => p !== "getHateoasUrl");
  }

  partition(i: number): string {
    return join(this.inst, `slappart${i}`);
  }

  softwarePath(url: string): string {
    return join(this.soft, softwareHash(url));
  }

  supply(url: string, state: "available" | "destroyed" = "available"): Promise<string> {
    return this.client.supply(url, this.computerId, state);
  }

  /** Request an instance; returns the partition id it got. */
  async request(reference: string, url: string, options: { state?: string; parameters?: Record<string, PyValue>; filter?: Record<string, PyValue> } = {}): Promise<string | undefined> {
    const instance = await this.client.requestComputerPartition({
      softwareRelease: url,
      partitionReference: reference,
      state: options.state,
      parameters: options.parameters,
      filter: options.filter,
    });
    return instance.getPartitionId?.() ?? undefined;
  }

  /** Supply, build and request in one go: returns the partition path. */
  async deploy(url: string, reference = "inst", state = "started"): Promise<string> {
    await this.supply(url);
    const software = await this.node("software");
    if (software.code !== 0) throw new Error(`node software failed: ${software.stderr}`);
    await this.request(reference, url, { state });
    return this.partition(0);
  }

  /** The instance supervisor's RPC. */
  supervisor() {
    return supervisorClient(join(this.inst, "sv.sock"));
  }

  async processInfo(name: string): Promise<{ statename: string; pid: number; start: number } | undefined> {
    try {
      return (await this.supervisor().call("getProcessInfo", name)) as { statename: string; pid: number; start: number };
    } catch {
      return undefined;
    }
  }

  /** SIGTERM the instance supervisor, synchronously (it stops its programs). */
  kill(): void {
    try {
      process.kill(Number(readFileSync(join(this.inst, "var", "run", "supervisord.pid"), "utf8")), "SIGTERM");
    } catch {
      // not running
    }
  }

  /** Shut the instance supervisor down (it stops every program) and the master. */
  async stop(): Promise<void> {
    const pidfile = join(this.inst, "var", "run", "supervisord.pid");
    if (existsSync(join(this.inst, "sv.sock")) && existsSync(pidfile)) {
      const pid = Number(readFileSync(pidfile, "utf8"));
      await this.supervisor().call("shutdown").catch(() => undefined);
      for (let i = 0; i < 200 && alive(pid); i++) await Bun.sleep(25);
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
    await this.master.stop();
  }
}

/**
 * A node's folder: soft/, inst/, run/, certs/, definition.cfg (partitions
 * slappart0.. owned by root on 127.0.0.1 and ::1) and slapos.cfg for
 * `node format` (definition-file mode) and the slapgrid commands.
 */
export function writeNodeFolder(
  dir: string,
  options: { masterUrl: string; computerId: string; partitions: number; slapos?: string; slapformat?: string; extra?: string },
): string {
  for (const name of ["soft", "inst", "run", "certs"]) mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, "definition.cfg"), standaloneDefinition({ partitionCount: options.partitions, ipv4: "127.0.0.1", ipv6: "::1", user: "root" }));
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(
    cfg,
    `[slapos]
software_root = ${dir}/soft
instance_root = ${dir}/inst
master_url = ${options.masterUrl}
computer_id = ${options.computerId}
root_check = False
pidfile_software = ${dir}/run/software.pid
pidfile_instance = ${dir}/run/instance.pid
pidfile_report = ${dir}/run/report.pid
${options.slapos ?? ""}
[slapformat]
input_definition_file = ${dir}/definition.cfg
partition_amount = ${options.partitions}
alter_user = false
alter_network = false
create_tap = false
create_tun = false
computer_xml = ${dir}/slapos.xml
public_ipv4_lookup = false
${options.slapformat ?? ""}
${options.extra ?? ""}
`,
  );
  return cfg;
}

/** Whether a process is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface ReleaseOptions {
  /** The instance profile, copied as SW_ROOT/H/instance.cfg (or template.cfg). */
  instance?: string;
  /** Name of the instance profile in the software folder. */
  instanceName?: string;
  /** More parts for software.cfg: `[buildout] parts` gets their names. */
  parts?: Record<string, string>;
  /** Files beside software.cfg. */
  files?: Record<string, string>;
}

/** A tiny software release in `dir/name/software.cfg`: copies its instance profile into the software folder. Returns its URL (the path). */
export function writeRelease(dir: string, name: string, options: ReleaseOptions = {}): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const parts: Record<string, string> = { ...(options.parts ?? {}) };
  if (options.instance !== undefined) {
    writeFileSync(join(folder, "instance.cfg.in"), options.instance);
    parts["instance-profile"] = `recipe = plone.recipe.command
command = cp \${:_profile_base_location_}/instance.cfg.in \${buildout:directory}/${options.instanceName ?? "instance.cfg"}
update-command = \${:command}
stop-on-error = true`;
  }
  for (const [file, text] of Object.entries(options.files ?? {})) writeFileSync(join(folder, file), text);
  const names = Object.keys(parts);
  let text = `[buildout]\nparts =\n${names.map((n) => `  ${n}\n`).join("")}`;
  for (const [part, body] of Object.entries(parts)) text += `\n[${part}]\n${body}\n`;
  writeFileSync(join(folder, "software.cfg"), text);
  return join(folder, "software.cfg");
}

/**
 * An instance profile part that writes an executable script `path`
 * (relative to the partition) at every buildout run.
 */
export function scriptPart(path: string, body: string): string {
  const encoded = Buffer.from(`#!/bin/sh\n${body}\n`).toString("base64");
  return `recipe = plone.recipe.command
command = mkdir -p $(dirname ${path}) && echo ${encoded} | base64 -d > ${path} && chmod 755 ${path}
update-command = \${:command}
stop-on-error = true`;
}

/** An instance profile from parts (name → body). */
export function instanceProfile(parts: Record<string, string>): string {
  const names = Object.keys(parts);
  let text = `[buildout]\nparts =\n${names.map((n) => `  ${n}\n`).join("")}`;
  for (const [part, body] of Object.entries(parts)) text += `\n[${part}]\n${body}\n`;
  return text;
}

/** Write an executable file. */
export function executable(path: string, body: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}
