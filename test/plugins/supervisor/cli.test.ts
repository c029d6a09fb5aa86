/**
 * The commands as a node runs them, from slapos.cfg: `node supervisord`
 * writes the instance's supervisord.conf and starts the daemon once;
 * `node status|start|stop|restart|tail` pass through to our supervisorctl,
 * launching the daemon first unless forbidden; root_check refuses others.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { partitionPrograms, writeGroupFiles } from "../../../core/node/instance/programs.ts";
import { supervisorPaths } from "../../../core/node/supervisor-files.ts";
import { supervisorClient, updateSupervisor } from "../../../plugins/supervisor/api.ts";
import { BINARY, slapos, startSlapos } from "../../helpers/binary.ts";
import { waitFor } from "../../helpers/ports.ts";
import { isAlive, noteDaemon, track, tempDir } from "./helpers.ts";

const root = tempDir("sv-cli-");
const paths = supervisorPaths(root);
const cfg = join(root, "slapos.cfg");
const daemon = { dir: root, conf: paths.config, confDir: paths.configDir, socket: paths.socket, log: paths.logfile, pidfile: paths.pidfile };
track(daemon);

const node = (...args: string[]) => slapos(["--cfg", cfg, "node", ...args], { env: { SLAPOS_BINARY: BINARY } });

beforeAll(() => {
  writeFileSync(cfg, `[slapos]\ninstance_root = ${root}\nroot_check = true\n`);
  const run = join(root, "slappart0", "etc", "run");
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, "hello"), "#!/bin/sh\necho hello from slappart0\nexec sleep 1000\n");
  chmodSync(join(run, "hello"), 0o755);
});

describe("slapos node supervisord / supervisorctl from slapos.cfg", () => {
  test("node supervisord writes INST_ROOT/etc/supervisord.conf and starts the daemon", async () => {
    const result = await node("supervisord");
    noteDaemon(daemon);
    expect(result.code).toBe(0);
    expect(readFileSync(paths.config, "utf8")).toContain(`file=${root}/sv.sock\n`);
    expect(isAlive(Number(readFileSync(paths.pidfile, "utf8")))).toBe(true);
  });

  test("node supervisord again finds it running and starts no other", async () => {
    const pid = Number(readFileSync(paths.pidfile, "utf8"));
    expect((await node("supervisord")).code).toBe(0);
    expect(Number(readFileSync(paths.pidfile, "utf8"))).toBe(pid);
  });

  test("node status prints supervisorctl's table", async () => {
    const ref = { id: "slappart0", path: join(root, "slappart0"), instanceRoot: root };
    writeGroupFiles(ref, { slappart0: partitionPrograms(ref) });
    await updateSupervisor(paths.socket);
    await supervisorClient(paths.socket).call("startProcessGroup", "slappart0", false);
    await waitFor(async () => (await node("status", "slappart0:hello")).stdout.includes("RUNNING"), 20, "running");
    const result = await node("status");
    expect(result.stdout).toMatch(/^slappart0:hello +RUNNING   pid \d+, uptime \d+:\d\d:\d\d\nwatchdog +(BACKOFF|FATAL) +command is empty\n$/);
  });

  test("node stop, start and restart act on a partition's processes", async () => {
    expect((await node("stop", "slappart0:*")).stdout).toBe("slappart0:hello: stopped\n");
    expect((await node("start", "slappart0:hello")).stdout).toBe("slappart0:hello: started\n");
    expect((await node("restart", "slappart0:hello")).stdout).toBe("slappart0:hello: stopped\nslappart0:hello: started\n");
    const missing = await node("start", "slappart0:nope");
    expect(missing.stdout).toBe("slappart0:nope: ERROR (no such process)\n");
    expect(missing.code).toBe(1);
  });

  test("node tail shows the process log", async () => {
    await waitFor(async () => (await node("tail", "slappart0:hello")).stdout.includes("hello from slappart0"), 20, "output");
  });

  test("node supervisorctl passes its arguments through", async () => {
    const result = await node("supervisorctl", "pid");
    expect(result.stdout).toBe(`${readFileSync(paths.pidfile, "utf8").trim()}\n`);
  });

  test("with root_check, another user is refused with exit 5", async () => {
    chmodSync(root, 0o755);
    chmodSync(cfg, 0o644);
    const child = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BINARY, "--cfg", cfg, "node", "status"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(5);
    expect(stderr).toContain("This slapos command must be run as root.");
  });

  test("the daemon is launched first unless forbid_supervisord_automatic_launch", async () => {
    expect((await node("supervisorctl", "shutdown")).stdout).toBe("Shut down\n");
    await waitFor(() => !existsSync(paths.socket), 20, "socket gone");
    writeFileSync(cfg, `[slapos]\ninstance_root = ${root}\nforbid_supervisord_automatic_launch = true\n`);
    const refused = await node("status");
    expect(refused.stdout).toBe(`unix://${paths.socket} no such file\n`);
    expect(refused.code).toBe(4);
    writeFileSync(cfg, `[slapos]\ninstance_root = ${root}\n`);
    const launched = await node("status");
    noteDaemon(daemon);
    expect(launched.stdout).toMatch(/^slappart0:hello +STOPPED +Not started$/m);
  });
});

describe("slapos node supervisord -n", () => {
  const fg = tempDir("sv-fg-");
  const fgCfg = join(fg, "slapos.cfg");
  let child: ReturnType<typeof startSlapos> | undefined;
  afterAll(() => child?.kill("SIGKILL"));

  test("runs in the foreground, logs to stdout, and exits 0 on SIGTERM", async () => {
    writeFileSync(fgCfg, `[slapos]\ninstance_root = ${fg}\n`);
    child = startSlapos(["node", "supervisord", "-n", "--cfg", fgCfg]);
    const fgPaths = supervisorPaths(fg);
    await waitFor(() => existsSync(fgPaths.socket), 30, "socket");
    child.kill("SIGTERM");
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO supervisord started with pid \d+$/m);
    expect(stdout).toContain("WARN received SIGTERM indicating exit request");
    expect(existsSync(fgPaths.socket)).toBe(false);
  });
});
