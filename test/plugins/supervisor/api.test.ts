/**
 * The node-facing API (node-runtime.md §1.4, §3.5, §3.6): supervisord.conf
 * and partition files byte for byte (written by core), launching the
 * daemon, the update algorithm touching only what changed, starting and
 * stopping partitions through the hooks the plugin answers.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { Logger, type LevelName } from "../../../core/log/logger.ts";
import {
  partitionPrograms,
  removeAllGroupFiles,
  removeOwnGroupFile,
  startPartitionGroup,
  writeGroupFiles,
  type PartitionRef,
} from "../../../core/node/instance/programs.ts";
import { createSupervisordConfiguration, supervisorPaths, watchdogCommand } from "../../../core/node/supervisor-files.ts";
import { launchSupervisord, supervisorClient, updateSupervisor } from "../../../plugins/supervisor/api.ts";
import supervisorPlugin from "../../../plugins/supervisor/index.ts";
import { BINARY } from "../../helpers/binary.ts";
import { waitFor } from "../../helpers/ports.ts";
import { isAlive, noteDaemon, track, tempDir } from "./helpers.ts";

const root = tempDir("sv-api-");
const paths = supervisorPaths(root);
const lines: string[] = [];
const log = {
  debug: (m: string) => lines.push(`DEBUG ${m}`),
  info: (m: string) => lines.push(`INFO ${m}`),
  warning: (m: string) => lines.push(`WARNING ${m}`),
  critical: (m: string) => lines.push(`CRITICAL ${m}`),
};
class Capture extends Logger {
  override log(level: LevelName, message: string): void {
    lines.push(`${level} ${message}`);
  }
}
const capture = new Capture();
const host = new PluginHost();
host.add(supervisorPlugin);
await host.applyAll((loaded) => ({ config: new SlapConfig(), options: {}, log: capture, source: loaded.source, command: "test" }));
const ref = (id: string): PartitionRef => ({ id, path: join(root, id), instanceRoot: root });
const writePrograms = (id: string) => writeGroupFiles(ref(id), { [id]: partitionPrograms(ref(id)) });
const daemon = { dir: root, conf: paths.config, confDir: paths.configDir, socket: paths.socket, log: paths.logfile, pidfile: paths.pidfile };
track(daemon);

function partition(id: string, runners: Record<string, string>, services: Record<string, string> = {}): string {
  const path = join(root, id);
  for (const [dir, scripts] of [["run", runners], ["service", services]] as const) {
    mkdirSync(join(path, "etc", dir), { recursive: true });
    for (const [name, body] of Object.entries(scripts)) {
      writeFileSync(join(path, "etc", dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(path, "etc", dir, name), 0o755);
    }
  }
  return path;
}

const rpc = () => supervisorClient(paths.socket);
const info = async (name: string) => (await rpc().call("getProcessInfo", name)) as { statename: string; pid: number };
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("node-facing API", () => {
  test("createSupervisordConfiguration writes the reference template and the tree's modes", async () => {
    expect(await createSupervisordConfiguration(root)).toBe(true);
    expect(readFileSync(paths.config, "utf8")).toBe(
      `[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = ${root}/etc/supervisord.conf.d/*.conf

[supervisorctl]
serverurl = unix://${root}/sv.sock

[supervisord]
loglevel = info
logfile = ${root}/var/log/supervisord.log
logfile_maxbytes = 50MB
nodaemon = false
pidfile = ${root}/var/run/supervisord.pid
logfile-backups = 10
# Do not set minfds. select() does not support file descriptors
# greater than 1023.
# minfds = 

[unix_http_server]
file=${root}/sv.sock
chmod=0700

[eventlistener:watchdog]
command=
events=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL
`,
    );
    expect([mode(paths.config), mode(join(root, "etc")), mode(paths.configDir), mode(join(root, "var"))]).toEqual(["600", "700", "700", "755"]);
    expect([mode(join(root, "var", "log")), mode(join(root, "var", "run"))]).toEqual(["700", "700"]);
    expect(await createSupervisordConfiguration(root)).toBe(false);
  });

  test("the watchdog line is slapgrid's, with our binary", () => {
    expect(watchdogCommand({ masterUrl: "http://m", computerId: "C", instanceRoot: "/ir", certificateRepositoryPath: "/c", command: ["/x/slapos"] })).toBe(
      "/x/slapos node watchdog --master-url 'http://m'  --certificate-repository-path '/c' --computer-id 'C' --instance-root '/ir'",
    );
  });

  test("writeGroupFiles writes slapgrid's group file, etc/service replacing a runner of the same name", async () => {
    const path = partition("slappart0", { a: "exec sleep 1000", b: "exec sleep 1000" }, { b: "exec sleep 1000" });
    const file = join(paths.configDir, "slappart0.conf");
    expect(writePrograms("slappart0")).toEqual({ written: [file], removed: [], needsUpdate: true });
    expect(mode(file)).toBe("600");
    const block = (id: string, name: string, dir: string) => `[program:slappart0_${id}]
directory=${path}
command=${path}/etc/${dir}/${id}
process_name=${name}
autostart=false
autorestart=false
startsecs=0
startretries=0
exitcodes=0
stopsignal=TERM
stopwaitsecs=60
stopasgroup=true
killasgroup=true
user=0
group=0
serverurl=AUTO
redirect_stderr=true
stdout_logfile=${path}/.slappart0_${id}.log
stdout_logfile_maxbytes=100KB
stdout_logfile_backups=1
stderr_logfile=${path}/.slappart0_${id}.log
stderr_logfile_maxbytes=100KB
stderr_logfile_backups=1
environment=USER="root",LOGNAME="root",HOME="/root"
`;
    expect(readFileSync(file, "utf8")).toBe(
      `[group:slappart0]\nprograms=slappart0_a,slappart0_b\n\n${block("a", "a", "run")}\n${block("b", "b-on-watch", "service")}`,
    );
  });

  test("launchSupervisord starts the daemon once and finds it running the next time", async () => {
    await launchSupervisord(root, { log, command: [BINARY] });
    noteDaemon(daemon);
    expect(lines).toContain("INFO Launching supervisord with clean environment.");
    const pid = Number(readFileSync(paths.pidfile, "utf8"));
    expect(isAlive(pid)).toBe(true);
    lines.length = 0;
    await launchSupervisord(root, { log, command: [BINARY] });
    expect(lines).toEqual(["DEBUG Supervisord already running."]);
    expect(Number(readFileSync(paths.pidfile, "utf8"))).toBe(pid);
  });

  test("starting a partition applies the files (unchanged here: the group is left alone) and starts the partition's group", async () => {
    lines.length = 0;
    await startPartitionGroup(ref("slappart0"), host.hooks, capture);
    expect(lines).toEqual(["DEBUG Updating supervisord", "DEBUG Supervisord updated", "INFO Requested start of slappart0..."]);
    await waitFor(async () => (await info("slappart0:b-on-watch")).statename === "RUNNING", 20, "b running");
    expect((await info("slappart0:a")).statename).toBe("RUNNING");
  });

  test("a partition without programs has nothing to start", async () => {
    const path = join(root, "slappart9");
    mkdirSync(path);
    lines.length = 0;
    await startPartitionGroup(ref("slappart9"), host.hooks, capture);
    expect(lines).toContain("WARNING No runners nor services found for partition 'slappart9'");
    expect(lines).toContain("INFO Nothing to start on slappart9...");
  });

  test("updateSupervisor touches only the groups whose programs changed", async () => {
    const other = partition("slappart1", { x: "exec sleep 1000" });
    await startPartitionGroup(ref("slappart1"), host.hooks, capture);
    await waitFor(async () => (await info("slappart1:x")).statename === "RUNNING", 20, "x running");
    const untouched = (await info("slappart0:a")).pid;
    writeFileSync(join(other, "etc", "run", "y"), "#!/bin/sh\nexec sleep 1000\n");
    chmodSync(join(other, "etc", "run", "y"), 0o755);
    writePrograms("slappart1");
    expect(await updateSupervisor(paths.socket, log)).toEqual({ added: [], changed: ["slappart1"], removed: [] });
    expect((await info("slappart0:a")).pid).toBe(untouched);
    expect((await info("slappart1:y")).statename).toBe("STOPPED");
  });

  test("stopping a partition removes only <PID>.conf: the group is stopped and removed, manager groups stay", async () => {
    writeFileSync(
      join(paths.configDir, "slappart0-prerm.conf"),
      `[group:slappart0-prerm]\nprograms=slappart0-prerm_p\n\n[program:slappart0-prerm_p]\ncommand=/bin/sleep 1000\nautostart=false\n`,
    );
    await updateSupervisor(paths.socket, log);
    const pid = (await info("slappart0:a")).pid;
    lines.length = 0;
    expect(await removeOwnGroupFile(ref("slappart0"), host.hooks)).toBe(true);
    expect(lines).toContain("INFO Stopped 'slappart0'");
    expect(lines).toContain("INFO Removed 'slappart0'");
    expect(isAlive(pid)).toBe(false);
    await expect(info("slappart0:a")).rejects.toMatchObject({ faultCode: 10 });
    expect((await info("slappart0-prerm:slappart0-prerm_p")).statename).toBe("STOPPED");
  });

  test("removeAllGroupFiles deletes every file of the partition and its groups, and no other", async () => {
    await rpc().call("startProcessGroup", "slappart1", true);
    const other = (await info("slappart1:x")).pid;
    expect(await removeAllGroupFiles(ref("slappart0"), host.hooks)).toBe(true);
    expect(existsSync(join(paths.configDir, "slappart0-prerm.conf"))).toBe(false);
    await expect(info("slappart0-prerm:slappart0-prerm_p")).rejects.toMatchObject({ faultCode: 10 });
    expect((await info("slappart1:x")).pid).toBe(other);
  });

  test("a watchdog that is not running is re-read and re-added when the daemon is found running", async () => {
    // An empty command backs off (1, 2, 3 s) then goes FATAL; BACKOFF still counts as running.
    await waitFor(async () => (await info("watchdog")).statename === "FATAL", 20, "watchdog FATAL");
    const listener = join(root, "listener.sh");
    writeFileSync(listener, "#!/bin/sh\nwhile true; do printf 'READY\\n'; read h || exit 0; head -c $(echo $h | sed 's/.*len://'); printf 'RESULT 2\\nOK'; done\n");
    chmodSync(listener, 0o755);
    await createSupervisordConfiguration(root, { watchdogCommand: listener });
    await launchSupervisord(root, { log, command: [BINARY] });
    await waitFor(async () => (await info("watchdog")).statename === "RUNNING", 20, "watchdog running");
  }, 40_000);
});
