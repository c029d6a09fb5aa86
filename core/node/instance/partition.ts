/**
 * One computer partition on disk and what slapgrid does to it
 * (node-runtime.md §3.4–3.6): install its instance profile, start and stop
 * its supervisor group, refresh its certificate.
 */
import { chmodSync, chownSync, existsSync, lchownSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../errors.ts";
import type { PartitionJob } from "../../hooks/groups/instance.ts";
import { required } from "../../hooks/loader.ts";
import { SlapClient } from "../../slap/client.ts";
import { pyRepr } from "../../slap/python-repr.ts";
import type { ComputerPartition } from "../../slap/objects.ts";
import type { NodeRun } from "../context.ts";
import { checkFreeSpace, parseSize } from "../disk.ts";
import { writeOwnFile } from "../own-files.ts";
import { isSymlink, partitionPath, softwarePath } from "../paths.ts";
import { javascriptRuntime } from "../self.ts";
import { cleanEnvironment, ownerToDropTo } from "../spawn.ts";
import { removeOwnGroupFile, startPartitionGroup, type PartitionRef } from "./programs.ts";
import { freezeRetentionDelay } from "./retention.ts";
import { buildoutTail } from "./tail.ts";

export class Partition {
  readonly id: string;
  readonly path: string;
  readonly softwareUrl?: string;
  readonly softwarePath?: string;
  readonly ref: PartitionRef;

  constructor(
    readonly run: NodeRun,
    readonly slap: ComputerPartition,
  ) {
    this.id = slap.getId();
    this.path = partitionPath(run.options.instanceRoot, this.id);
    this.softwareUrl = slap.getSoftwareReleaseUrl();
    this.softwarePath = this.softwareUrl ? softwarePath(run.options.softwareRoot, this.softwareUrl) : undefined;
    this.ref = { id: this.id, path: this.path, instanceRoot: run.options.instanceRoot };
  }

  /** The requested state as the master says it ("destroyed" for a free partition). */
  get requestedState(): string {
    return this.slap.getState();
  }

  get job(): PartitionJob {
    const state = this.requestedState;
    return {
      id: this.id,
      path: this.path,
      softwareRelease: this.softwareUrl,
      requestedState: state === "started" || state === "stopped" ? state : "destroyed",
      parameters: this.slap.getInstanceParameterDict(),
    };
  }

  private get certificatePaths(): { key: string; cert: string } | undefined {
    const repository = this.run.options.certificateRepositoryPath;
    if (!repository) return undefined;
    return { key: join(repository, `${this.id}.key`), cert: join(repository, `${this.id}.crt`) };
  }

  /**
   * _updateCertificate: without certificate_repository_path there is
   * nothing to refresh (and no call to the master); otherwise fetch the
   * partition's certificate and key and rewrite the files only when they
   * change (mode 0400, owned by the partition user).
   */
  async updateCertificates(): Promise<void> {
    const paths = this.certificatePaths;
    if (!paths) return;
    let answer: { certificate: string; key: string };
    try {
      answer = await this.run.master.getComputerPartitionCertificate(this.run.options.computerId, this.id);
    } catch (error) {
      if (error instanceof SlapError && error.code === "not-found") {
        throw new SlapError("not-found", `Partition ${this.id} is not known by SlapOS Master.`, { cause: error });
      }
      throw error;
    }
    const { uid, gid } = statSync(this.path);
    for (const [name, path, content] of [["certificate", paths.cert, answer.certificate], ["key", paths.key, answer.key]] as const) {
      const old = existsSync(path) ? readFileSync(path, "utf8") : undefined;
      if (old === content) continue;
      this.run.log.info(old === undefined ? `Missing ${name} file. Creating '${path}'` : `Changed ${name} content. Updating '${path}'`);
      if (old !== undefined) chmodSync(path, 0o600);
      writeFileSync(path, content, { mode: 0o400 });
      chmodSync(path, 0o400);
      if (process.getuid?.() === 0) chownSync(path, uid, gid);
    }
    await this.run.hooks.instance.certificates.promise(this.job);
  }

  /** A client that speaks for the partition (its own certificate when there is one): bangs go through it. */
  partitionClient(): SlapClient {
    const paths = this.certificatePaths;
    if (!paths || !this.run.options.masterUrl.startsWith("https") || !existsSync(paths.key) || !existsSync(paths.cert)) return this.run.master;
    return new SlapClient({ masterUrl: this.run.options.masterUrl, keyFile: paths.key, certFile: paths.cert, caFile: this.run.options.masterCaFile });
  }

  private linkSoftware(): void {
    const link = join(this.path, "software_release");
    if (existsSync(link) && !isSymlink(link)) return; // a real file of that name is left alone
    rmSync(link, { force: true });
    symlinkSync(this.softwarePath!, link);
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync(this.path);
      lchownSync(link, uid, gid);
    }
  }

  private template(): string {
    for (const name of ["instance.cfg", "template.cfg"]) {
      const path = join(this.softwarePath!, name);
      if (existsSync(path)) return path;
    }
    throw new SlapError(
      "failure",
      `Software Release ${this.softwareUrl} is not correctly installed.\nMissing file: ${join(this.softwarePath!, "instance.cfg")}`,
    );
  }

  /** Partition.install(): the instance buildout (node-runtime.md §3.4). */
  async install(buildoutDebug = false): Promise<void> {
    this.run.log.info(`Installing Computer Partition ${this.id}...`);
    const minimum = parseSize(String(this.run.options.raw.instance_min_free_space ?? "1000M"), "instance_min_free_space");
    checkFreeSpace(this.path, minimum, "instance_min_free_space");
    if (!existsSync(this.path) || !statSync(this.path).isDirectory()) {
      throw new SlapError("failure", `Please create partition directory ${this.path}`);
    }
    if (!this.softwareUrl || !this.softwarePath) throw new SlapError("not-found", `Partition ${this.id} has no software release`);
    this.linkSoftware();
    const mode = statSync(this.path).mode & 0o777;
    if (mode !== 0o750) {
      throw new SlapError(
        "failure",
        `Wrong permissions in ${this.path}: actual permissions are: 0${mode.toString(8)}, wanted are 0750`,
      );
    }
    if (!existsSync(this.softwarePath)) {
      throw new SlapError("failure", `Software Release ${this.softwareUrl} is not present on system.\nCannot deploy instance.`);
    }
    const template = this.template();
    const config = join(this.path, "buildout.cfg");
    const raw = this.run.options.raw;
    const certificates = this.certificatePaths;
    const tail = buildoutTail({
      computerId: this.run.options.computerId,
      partitionId: this.id,
      serverUrl: this.run.options.masterUrl,
      softwareReleaseUrl: this.softwareUrl,
      keyFile: certificates?.key ?? "",
      certFile: certificates?.cert ?? "",
      requestedState: this.requestedState,
      storageHome: String(raw.instance_storage_home ?? ""),
      globalIpv4Network: String(raw.ipv4_global_network ?? ""),
      sharedPartList: String(raw.shared_part_list ?? ""),
      buildTimePartList: String(raw.build_time_part_list ?? ""),
    });
    const text = await this.run.hooks.instance.buildoutProfile.promise(`${readFileSync(template, "utf8")}\n\n${tail}`, this.job);
    writeOwnFile(config, text, { mode: 0o640 });
    chmodSync(config, 0o640);
    const owner = ownerToDropTo(this.path);
    if (owner) chownSync(config, -1, owner.gid);
    const argv = [...(buildoutDebug ? ["-D"] : []), "-U"];
    if (this.run.options.partitionTimeout !== undefined) this.run.log.debug(`Launching buildout with ${this.run.options.partitionTimeout}s timeout`);
    const result = await required(this.run.hooks.buildout.run, {
      directory: this.path,
      argv,
      env: this.run.hooks.buildout.env.call(
        { ...cleanEnvironment(this.path, { ...process.env, SLAPGRID_INSTANCE_ROOT: this.run.options.instanceRoot }), SLAPOS_EXECUTABLE: javascriptRuntime() },
        undefined,
      ),
      uid: owner?.uid,
      gid: owner?.gid,
      timeout: this.run.options.partitionTimeout,
      fork: true,
      softwareDirectory: this.softwarePath,
    });
    if (result.timedOut) {
      // the reference's subprocess.TimeoutExpired: a generic failure, not a BuildoutFailedError
      throw new SlapError("failure", `Command '${pyRepr(["buildout", ...argv])}' timed out after ${this.run.options.partitionTimeout} seconds`, {
        logTail: result.output,
      });
    }
    if (result.code !== 0) {
      this.run.log.error(`Failed to run buildout profile in directory '${this.path}'`);
      throw new SlapError("buildout", `Failed to run buildout profile in directory '${this.path}':\n${result.output}\n`, {
        logTail: result.output,
      });
    }
    const delay = Number(this.slap.getFilterDict().retention_delay ?? 0);
    freezeRetentionDelay(this.path, Number.isFinite(delay) ? delay : 0);
    await this.run.hooks.instance.install.promise(this.job);
  }

  /** start(): regenerate the programs, then start the partition's group (never another partition's). */
  async start(): Promise<void> {
    await startPartitionGroup(this.ref, this.run.hooks, this.run.log);
    await this.run.hooks.instance.start.promise(this.job);
  }

  /** stop(): remove PID.conf; the supervisor update stops and removes the group. */
  async stop(): Promise<void> {
    if (await removeOwnGroupFile(this.ref, this.run.hooks)) this.run.log.info(`Requested stop of ${this.id}...`);
    await this.run.hooks.instance.stop.promise(this.job);
  }
}
