/**
 * The settings of a configure-local node: the command line, else what the
 * previous run chose (kept in configure-local.json), else the defaults —
 * the reference's as root (20 partitions on `lo`, 10.0.0.0/16,
 * 127.0.0.1:8080), 10 partitions on 127.0.0.1/::1 in a base folder. So a
 * re-run without options changes nothing, and one option changes only
 * itself. Every check happens here, before anything is written.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { SlapError } from "../../core/errors.ts";
import { baseLayout, defaultBase, rootLayout, ROOT_DEFAULTS, type Layout, type Mode, type RootDirectories } from "./layout.ts";

export interface ApplianceSettings {
  partitions: number;
  ip: string;
  port: number;
  /** Root mode: format's interface and local IPv4 network. */
  interfaceName?: string;
  ipv4LocalNetwork?: string;
  /** Root mode: where things go. */
  dirs?: RootDirectories;
  /** --enable-shacache-proxy: the master serves a binary cache (/shacache) the node downloads from. */
  shacache?: boolean;
}

export interface ApplianceState {
  version: 1;
  mode: Mode;
  settings: ApplianceSettings;
  /** sha256 of each file as configure local last wrote it, by path: an edited file is left alone. */
  written: Record<string, string>;
}

export type Options = Record<string, string | number | boolean | string[] | undefined>;

const ROOT_ONLY = ["interface-name", "ipv4-local-network", "slapos-instance-root", "slapos-software-root", "slapos-buildout-directory", "slapos-configuration-directory"];

/** The header install.sh puts in the default slapos.cfg: configure local may take that one over. */
export const INSTALLER_HEADER = "written by slapos's install.sh";

export function readState(layout: Layout): ApplianceState | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  try {
    const state = JSON.parse(readFileSync(layout.stateFile, "utf8")) as ApplianceState;
    if (state.version !== 1 || !state.settings) throw new Error("unknown version");
    return state;
  } catch (error) {
    throw new SlapError("config", `${layout.stateFile} cannot be read (${(error as Error).message}): refusing to touch this node`);
  }
}

const text = (value: unknown) => (value === undefined || value === false ? undefined : String(value));

/** Which mode and which places: root without --base is root mode; everything else is a base folder. */
export function chooseLayout(options: Options): Layout {
  const base = text(options.base);
  const root = process.getuid?.() === 0;
  if (base !== undefined || !root) {
    const given = ROOT_ONLY.filter((name) => options[name] !== undefined);
    if (given.length) {
      throw new SlapError("usage", `--${given[0]} applies only to root mode (as root, without --base): a base-folder node keeps everything in its folder and adds no address to the machine`);
    }
    return baseLayout(base ?? defaultBase());
  }
  // The configuration folder holds configure-local.json; the other places default to what it remembers.
  const configDir = text(options["slapos-configuration-directory"]) ?? ROOT_DEFAULTS.configDir;
  const remembered = readState(rootLayout({ ...ROOT_DEFAULTS, configDir }))?.settings.dirs ?? ROOT_DEFAULTS;
  return rootLayout({
    configDir,
    buildoutDir: text(options["slapos-buildout-directory"]) ?? remembered.buildoutDir,
    softwareRoot: text(options["slapos-software-root"]) ?? remembered.softwareRoot,
    instanceRoot: text(options["slapos-instance-root"]) ?? remembered.instanceRoot,
  });
}

/** Refuse a place that holds something configure local did not make; nothing is touched. */
export function checkPlace(layout: Layout, state: ApplianceState | undefined): "fresh" | "ours" | "installer" {
  if (state) return "ours";
  if (layout.mode === "base") {
    const base = layout.base!;
    if (!existsSync(base)) return "fresh";
    if (!statSync(base).isDirectory()) throw new SlapError("config", `${base} is not a folder: refusing to touch it`);
    if (readdirSync(base).length === 0) return "fresh";
    throw new SlapError(
      "config",
      `${base} is not empty and was not set up by slapos configure local (no etc/configure-local.json): refusing to touch it; choose another --base`,
    );
  }
  if (!existsSync(layout.slaposCfg)) return "fresh";
  if (readFileSync(layout.slaposCfg, "utf8").includes(INSTALLER_HEADER)) return "installer";
  throw new SlapError(
    "config",
    `A SlapOS configuration already exists at ${layout.slaposCfg} and was not written by slapos configure local: refusing to touch it (use --base DIR for a separate node)`,
  );
}

function integer(value: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new SlapError("usage", `argument --${name}: invalid value: '${value}' (a whole number from ${min} to ${max})`);
  }
  return Number(value);
}

function ipv4Network(value: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(value.trim());
  if (!match || match.slice(1, 5).some((p) => Number(p) > 255) || Number(match[5]) > 32) {
    throw new SlapError("usage", `argument --ipv4-local-network: invalid value: '${value}' (an IPv4 network such as 10.0.0.0/16)`);
  }
  return value.trim();
}

/** Command line over the previous run's settings over the defaults, checked. */
export function mergeSettings(options: Options, layout: Layout, state: ApplianceState | undefined): ApplianceSettings {
  const before = state?.settings;
  const pick = (name: string, previous: string | number | undefined, fallback: string | number) =>
    text(options[name]) ?? String(previous ?? fallback);
  const partitions = integer(pick("partition-number", before?.partitions, layout.mode === "root" ? 20 : 10), "partition-number", 1, 1000);
  if (before && partitions < before.partitions) {
    throw new SlapError(
      "usage",
      `argument --partition-number: this node has ${before.partitions} partitions and partitions are never removed (asked for ${partitions})`,
    );
  }
  const ip = pick("daemon-listen-ip", before?.ip, "127.0.0.1");
  if (!isIP(ip)) throw new SlapError("usage", `argument --daemon-listen-ip: invalid value: '${ip}' (an IP address)`);
  const port = integer(pick("daemon-listen-port", before?.port, 8080), "daemon-listen-port", 1, 65535);
  const settings: ApplianceSettings = { partitions, ip, port };
  if (options["enable-shacache-proxy"] || before?.shacache) settings.shacache = true;
  if (layout.mode === "root") {
    settings.interfaceName = pick("interface-name", before?.interfaceName, "lo");
    settings.ipv4LocalNetwork = ipv4Network(pick("ipv4-local-network", before?.ipv4LocalNetwork, "10.0.0.0/16"));
    settings.dirs = layout.dirs;
  }
  // A unix socket path is at most 107 bytes (StandaloneSlapOS' PathTooDeepError).
  if (Buffer.byteLength(layout.supervisorSocket) > 107) {
    throw new SlapError("usage", `${layout.supervisorSocket} is too long for a unix socket (107 bytes at most): choose a shorter folder`);
  }
  return settings;
}

/** What differs between two settings, as `name: before → after` lines. */
export function settingChanges(before: ApplianceSettings | undefined, after: ApplianceSettings): string[] {
  if (!before) return [];
  const out: string[] = [];
  const show = (name: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${name}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  show("partitions", before.partitions, after.partitions);
  show("master address", `${before.ip}:${before.port}`, `${after.ip}:${after.port}`);
  show("interface", before.interfaceName, after.interfaceName);
  show("ipv4 local network", before.ipv4LocalNetwork, after.ipv4LocalNetwork);
  show("shacache proxy", Boolean(before.shacache), Boolean(after.shacache));
  return out;
}
