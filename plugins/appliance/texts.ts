/**
 * The text of every file configure local writes: slapos.cfg (and, as root,
 * slapos-proxy.cfg), the supervisor programs of the master and the node
 * loop, and the base folder's bin/slapos.
 */
import { isIP } from "node:net";
import type { Layout } from "./layout.ts";
import type { ApplianceSettings } from "./settings.ts";

export const COMPUTER_ID = "local_computer";

export function masterUrl(settings: ApplianceSettings): string {
  const host = isIP(settings.ip) === 6 ? `[${settings.ip}]` : settings.ip;
  return `http://${host}:${settings.port}`;
}

/** One shell word (shlex reads it back as it was). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The reference's --enable-shacache-proxy: the node downloads from the master's /shacache, which fills itself from upstream. */
function networkcacheSection(settings: ApplianceSettings): string {
  if (!settings.shacache) return "";
  const url = masterUrl(settings);
  return `
[networkcache]
download-binary-cache-url = ${url}/shacache/cache
download-cache-url = ${url}/shacache/cache
download-binary-dir-url = ${url}/shacache/dir
download-dir-url = ${url}/shacache/dir
`;
}

/** The master's side of --enable-shacache-proxy, in [slapproxy] ([BUG] fixed: the reference writes hyphenated keys proxy start never reads). */
function shacacheKeys(settings: ApplianceSettings, folder: string): string {
  if (!settings.shacache) return "";
  return `shacache_content_directory = ${folder}/data
shacache_metadata_directory = ${folder}/dir
shacache_upstream_cache_url = http://shacache.nxdcdn.com
shacache_upstream_dir_url = http://shadir.nxdcdn.com
`;
}

/** Where the master keeps its cache: var/shacache in a base folder, INSTANCE_ROOT/shacache as root (the reference's). */
export function shacacheFolder(layout: Layout): string {
  return layout.mode === "base" ? `${layout.base}/var/shacache` : `${layout.instanceRoot}/shacache`;
}

function commandText(words: string[]): string {
  return words.map(shellWord).join(" ");
}

/** slapos.cfg of a base folder: node, format (definition file, nothing added to the machine) and master in one file, as StandaloneSlapOS. */
export function baseSlaposCfg(layout: Layout, settings: ApplianceSettings): string {
  const url = masterUrl(settings);
  const run = layout.runDir;
  return `# The node of ${layout.base}, written by \`slapos configure local\`.
# A re-run of configure local rewrites this file when its settings change,
# unless it was edited since (then it is kept, and configure local says so).
[slapos]
computer_id = ${COMPUTER_ID}
master_url = ${url}
master_rest_url = ${url}/hateoas
software_root = ${layout.softwareRoot}
instance_root = ${layout.instanceRoot}
root_check = False
pidfile_software = ${run}/slapos-node-software.pid
pidfile_instance = ${run}/slapos-node-instance.pid
pidfile_report = ${run}/slapos-node-report.pid
# The node loop (re)launches the supervisor: it is not a systemd service here.
forbid_supervisord_automatic_launch = false

[slapformat]
input_definition_file = ${layout.definition}
partition_amount = ${settings.partitions}
alter_user = false
alter_network = false
create_tap = false
create_tun = false
computer_xml = ${layout.computerXml}
public_ipv4_lookup = false

[slapproxy]
host = ${settings.ip}
port = ${settings.port}
database_uri = ${layout.database}
${shacacheKeys(settings, shacacheFolder(layout))}${networkcacheSection(settings)}
[node-run]
log_dir = ${layout.logDir}
`;
}

/** slapos.cfg as root: the reference's configure local values, on the installer's default layout. */
export function rootSlaposCfg(layout: Layout, settings: ApplianceSettings, systemd: boolean): string {
  const build = layout.dirs!.buildoutDir;
  return `# This node's configuration, written by \`slapos configure local\`: a node
# with its own master (${layout.proxyCfg}).
# A re-run of configure local rewrites this file when its settings change,
# unless it was edited since (then it is kept, and configure local says so).
[slapos]
computer_id = ${COMPUTER_ID}
master_url = ${masterUrl(settings)}
software_root = ${layout.softwareRoot}
instance_root = ${layout.instanceRoot}
pidfile_software = ${build}/slapgrid-sr.pid
pidfile_instance = ${build}/slapgrid-cp.pid
pidfile_report = ${build}/slapgrid-ur.pid
# ${systemd ? "systemd runs the supervisor (slapos-node-supervisord.service)" : "The node loop (re)launches the supervisor: systemd is not running"}.
forbid_supervisord_automatic_launch = ${systemd ? "true" : "false"}

[slapformat]
interface_name = ${settings.interfaceName}
ipv4_local_network = ${settings.ipv4LocalNetwork}
partition_amount = ${settings.partitions}
create_tap = false
computer_xml = ${layout.computerXml}
log_file = ${build}/log/slapos-node-format.log
partition_base_name = slappart
user_base_name = slapuser
tap_base_name = slaptap
${networkcacheSection(settings)}
[node-run]
pidfile = ${layout.loopPidfile}
${systemd ? "# Runs log to the journal (journalctl -u slapos-node).\n" : `log_dir = ${layout.logDir}\n`}`;
}

/** slapos-proxy.cfg as root ([BUG] fixed: database_uri follows --slapos-buildout-directory). */
export function rootProxyCfg(layout: Layout, settings: ApplianceSettings): string {
  return `# The local master of ${layout.slaposCfg}, written by \`slapos configure local\`.
[slapos]
computer_id = ${COMPUTER_ID}

[slapproxy]
host = ${settings.ip}
port = ${settings.port}
database_uri = ${layout.database}
${shacacheKeys(settings, shacacheFolder(layout))}`;
}

export interface ProgramContext {
  /** How to run slapos: the binary (and main.ts when running from the sources). */
  slapos: string[];
  /** PATH and HOME for the programs: the supervisor starts with an empty environment. */
  path: string;
  home: string;
}

/**
 * The master and the node loop as programs of the node's supervisor
 * (the reference's configure local does the same with slapproxy.conf):
 * restarted whenever they exit, the master started first and stopped last,
 * the loop started last and stopped first (so that it never relaunches a
 * supervisor that is shutting down).
 */
export function applianceProgramsText(layout: Layout, context: ProgramContext): string {
  const directory = layout.base ?? layout.dirs!.buildoutDir;
  const environment = `HOME="${context.home}",PATH="${context.path}"`;
  const program = (name: string, priority: number, command: string[], stopwait: number) => `[program:${name}]
directory=${directory}
command=${commandText([...context.slapos, ...command])}
process_name=${name}
priority=${priority}
autostart=true
autorestart=true
startsecs=1
startretries=forever
exitcodes=0
stopsignal=TERM
stopwaitsecs=${stopwait}
serverurl=AUTO
redirect_stderr=true
stdout_logfile=${layout.logDir}/${name}.log
stdout_logfile_maxbytes=1MB
stdout_logfile_backups=2
environment=${environment}
`;
  return (
    `# The master and the node loop of this node, kept running by its supervisor\n` +
    `# (written by \`slapos configure local\`; systemd is not used).\n` +
    program("slapos-proxy", 10, ["proxy", "start", "--cfg", layout.proxyCfg], 60) +
    "\n" +
    program("slapos-node-run", 1000, ["node", "run", "--cfg", layout.slaposCfg, "--replace"], 30)
  );
}

/** B/bin/slapos: this node's slapos, with its configuration files in the environment. */
export function wrapperText(layout: Layout, slapos: string[]): string {
  return `#!/bin/sh
# slapos for the node of ${layout.base} (written by \`slapos configure local\`).
SLAPOS_CONFIGURATION=${shellWord(layout.slaposCfg)}
SLAPOS_CLIENT_CONFIGURATION=${shellWord(layout.clientCfg)}
export SLAPOS_CONFIGURATION SLAPOS_CLIENT_CONFIGURATION
exec ${commandText(slapos)} "$@"
`;
}
