/**
 * Where a configure-local node keeps everything.
 *
 * Base-folder mode (a normal user; root with --base): one folder B holds it
 * all, laid out as StandaloneSlapOS does — etc/ (slapos.cfg,
 * slapos-proxy.cfg, slapos-client.cfg, the format definition, slapos.xml),
 * var/ (proxy.db, log/, run/), soft/, inst/, bin/slapos, demo/.
 *
 * Root mode (root without --base): the reference's places — CONF
 * (/etc/opt/slapos), BUILD (/opt/slapos: slapproxy.db, slapos.xml, log/),
 * the software root (/opt/slapgrid) and the instance root (/srv/slapgrid).
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export type Mode = "base" | "root";

export interface Layout {
  mode: Mode;
  /** Base-folder mode: the folder. */
  base?: string;
  /** Root mode: the four places the options choose. */
  dirs?: RootDirectories;
  configDir: string;
  slaposCfg: string;
  proxyCfg: string;
  /** Where client commands find the node: B/etc/slapos-client.cfg, or ~/.slapos/slapos-client.cfg. */
  clientCfg: string;
  /** What configure local remembers: its settings and the digests of the files it wrote. */
  stateFile: string;
  /** Base-folder mode: the format definition file (no users, no addresses added). */
  definition?: string;
  computerXml: string;
  database: string;
  softwareRoot: string;
  instanceRoot: string;
  logDir: string;
  runDir: string;
  /** Base-folder mode: B/bin/slapos, the binary with this node's configuration. */
  wrapper?: string;
  demoDir: string;
  supervisorConf: string;
  supervisorSocket: string;
  supervisorPidfile: string;
  /** The supervisor program file of the master and the node loop (without systemd). */
  applianceConf: string;
  loopPidfile: string;
}

/** The default base folder of a normal user: $XDG_DATA_HOME/slapos, else ~/.local/share/slapos. */
export function defaultBase(env = process.env): string {
  const data = env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share");
  return join(data, "slapos");
}

function supervisorPaths(instanceRoot: string) {
  return {
    supervisorConf: join(instanceRoot, "etc", "supervisord.conf"),
    supervisorSocket: join(instanceRoot, "sv.sock"),
    supervisorPidfile: join(instanceRoot, "var", "run", "supervisord.pid"),
    applianceConf: join(instanceRoot, "etc", "supervisord.conf.d", "slapos-appliance.conf"),
  };
}

export function baseLayout(folder: string): Layout {
  const base = resolve(folder);
  const etc = join(base, "etc");
  const instanceRoot = join(base, "inst");
  return {
    mode: "base",
    base,
    configDir: etc,
    slaposCfg: join(etc, "slapos.cfg"),
    // One file for node and master, as StandaloneSlapOS.
    proxyCfg: join(etc, "slapos.cfg"),
    clientCfg: join(etc, "slapos-client.cfg"),
    stateFile: join(etc, "configure-local.json"),
    definition: join(etc, "slapformat-definition.cfg"),
    computerXml: join(etc, "slapos.xml"),
    database: join(base, "var", "proxy.db"),
    softwareRoot: join(base, "soft"),
    instanceRoot,
    logDir: join(base, "var", "log"),
    runDir: join(base, "var", "run"),
    wrapper: join(base, "bin", "slapos"),
    demoDir: join(base, "demo"),
    ...supervisorPaths(instanceRoot),
    loopPidfile: join(base, "var", "run", "slapos-node-run.pid"),
  };
}

export interface RootDirectories {
  configDir: string;
  buildoutDir: string;
  softwareRoot: string;
  instanceRoot: string;
}

export const ROOT_DEFAULTS: RootDirectories = {
  configDir: "/etc/opt/slapos",
  buildoutDir: "/opt/slapos",
  softwareRoot: "/opt/slapgrid",
  instanceRoot: "/srv/slapgrid",
};

export function rootLayout(dirs: RootDirectories, home = process.env.HOME || homedir()): Layout {
  const conf = resolve(dirs.configDir);
  const build = resolve(dirs.buildoutDir);
  const instanceRoot = resolve(dirs.instanceRoot);
  return {
    mode: "root",
    dirs: { configDir: conf, buildoutDir: build, softwareRoot: resolve(dirs.softwareRoot), instanceRoot },
    configDir: conf,
    slaposCfg: join(conf, "slapos.cfg"),
    proxyCfg: join(conf, "slapos-proxy.cfg"),
    clientCfg: join(home, ".slapos", "slapos-client.cfg"),
    stateFile: join(conf, "configure-local.json"),
    computerXml: join(build, "slapos.xml"),
    database: join(build, "slapproxy.db"),
    softwareRoot: resolve(dirs.softwareRoot),
    instanceRoot,
    logDir: join(build, "log"),
    // The reference's pidfiles (/opt/slapos/slapgrid-*.pid) are kept; the loop's goes beside them.
    runDir: build,
    demoDir: join(build, "demo"),
    ...supervisorPaths(instanceRoot),
    loopPidfile: join(build, "slapos-node-run.pid"),
  };
}
