/** Reading supervisord.conf: the dialect, expansions, defaults, and refusals that name file, section and option. */
import { tempDir } from "./helpers.ts";
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { loadSupervisorConfig } from "../../../plugins/supervisor/config/load.ts";
import { supervisordConfText, supervisorPaths } from "../../../core/node/supervisor-files.ts";

const base = tempDir("sv-conf-");

function write(text: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(base, "t-"));
  mkdirSync(join(dir, "conf.d"));
  const path = join(dir, "supervisord.conf");
  writeFileSync(path, `[supervisord]\nlogfile=${dir}/s.log\npidfile=${dir}/s.pid\n\n[include]\nfiles = conf.d/*.conf\n\n${text}`);
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, "conf.d", name), content);
  return path;
}

async function refusal(path: string): Promise<string> {
  try {
    await loadSupervisorConfig(path);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("supervisord.conf", () => {
  test("the reference template (with slapos.core's 'logfile-backups' and empty watchdog command) loads", async () => {
    const dir = mkdtempSync(join(base, "t-"));
    mkdirSync(join(dir, "etc", "supervisord.conf.d"), { recursive: true });
    mkdirSync(join(dir, "var", "log"), { recursive: true });
    mkdirSync(join(dir, "var", "run"), { recursive: true });
    const paths = supervisorPaths(dir);
    writeFileSync(paths.config, supervisordConfText(paths));
    const config = await loadSupervisorConfig(paths.config);
    expect(config.supervisord.logfile).toBe(join(dir, "var", "log", "supervisord.log"));
    expect(config.supervisord.logfile_maxbytes).toBe(50 * 1024 * 1024);
    expect(config.servers).toEqual([
      { family: "unix", section: "unix_http_server", file: join(dir, "sv.sock"), chmod: 0o700, chown: [-1, -1], username: null, password: null },
    ]);
    expect(config.ctl.serverurl).toBe(`unix://${join(dir, "sv.sock")}`);
    const watchdog = config.groups.find((g) => g.name === "watchdog")!;
    expect(watchdog.priority).toBe(-1);
    expect(watchdog.listener?.events).toEqual(["PROCESS_STATE_EXITED", "PROCESS_STATE_FATAL"]);
    expect(watchdog.processes[0].command).toBe("");
  });

  test("program defaults are supervisord's", async () => {
    const config = await loadSupervisorConfig(write("[program:p]\ncommand=/bin/true\n"));
    const p = config.groups.find((g) => g.name === "p")!.processes[0];
    expect(p).toMatchObject({
      name: "p",
      autostart: true,
      autorestart: "unexpected",
      startsecs: 1,
      startretries: 3,
      exitcodes: [0],
      stopsignal: 15,
      stopwaitsecs: 10,
      stopasgroup: false,
      killasgroup: false,
      priority: 999,
      stdout_logfile: "AUTO",
      stdout_logfile_maxbytes: 50 * 1024 * 1024,
      stdout_logfile_backups: 10,
      redirect_stderr: false,
      umask: null,
      uid: null,
    });
  });

  test("%(here)s is the directory of the file that holds the section", async () => {
    const path = write("", { "a.conf": "[program:a]\ncommand=%(here)s/run\n" });
    const config = await loadSupervisorConfig(path);
    expect(config.groups[0].processes[0].command).toBe(join(dirname(path), "conf.d", "run"));
  });

  test("%(program_name)s, %(process_num)02d, %(group_name)s, %(host_node_name)s and %(ENV_x)s expand", async () => {
    const path = write(
      "[group:g]\nprograms=w\n\n[program:w]\ncommand=/bin/echo %(program_name)s %(group_name)s %(process_num)02d %(host_node_name)s %(ENV_SV_TEST)s\n" +
        "process_name=%(program_name)s_%(process_num)02d\nnumprocs=2\nnumprocs_start=7\n",
    );
    const config = await loadSupervisorConfig(path, { env: { SV_TEST: "env-value" } });
    const group = config.groups.find((g) => g.name === "g")!;
    expect(group.processes.map((p) => p.name)).toEqual(["w_07", "w_08"]);
    expect(group.processes[1].command).toBe(`/bin/echo w g 08 ${hostname()} env-value`);
  });

  test("a program's environment feeds ENV_x of its other options, and [supervisord] environment is inherited", async () => {
    const path = write("[program:p]\ncommand=/bin/echo %(ENV_FOO)s\nenvironment=FOO=\"a,b\",BAR=x\n");
    const text = readFileSync(path, "utf8").replace("[supervisord]\n", "[supervisord]\nenvironment=GLOBAL=1\n");
    writeFileSync(path, text);
    const config = await loadSupervisorConfig(path);
    const p = config.groups[0].processes[0];
    expect(p.command).toBe("/bin/echo a,b");
    expect(p.environment).toEqual({ GLOBAL: "1", FOO: "a,b", BAR: "x" });
  });

  test("inline comments need a space before ; or #, full-line comments and continuation lines work", async () => {
    const config = await loadSupervisorConfig(
      write("[program:p]\n; a comment\ncommand=/bin/echo a;b ; the comment\n  continued # another\nstartsecs=0\n"),
    );
    const p = config.groups[0].processes[0];
    expect(p.command).toBe("/bin/echo a;b\ncontinued");
    expect(p.startsecs).toBe(0);
  });

  test("[group:x] gathers its programs, groups are sorted by priority then name", async () => {
    const config = await loadSupervisorConfig(
      write(
        "[group:g]\nprograms=b,a\npriority=5\n\n[program:a]\ncommand=/bin/true\npriority=2\n\n[program:b]\ncommand=/bin/true\npriority=1\n\n[program:z]\ncommand=/bin/true\npriority=1\n",
      ),
    );
    expect(config.groups.map((g) => g.name)).toEqual(["z", "g"]);
    expect(config.groups[1].processes.map((p) => p.name)).toEqual(["b", "a"]);
  });

  test("startretries=forever retries without end", async () => {
    const config = await loadSupervisorConfig(write("[program:p]\ncommand=/bin/true\nstartretries=forever\n"));
    expect(config.groups[0].processes[0].startretries).toBe(Infinity);
  });

  test("an unknown option is refused, naming the file, the section and the option", async () => {
    const path = write("", { "bad.conf": "[program:p]\ncommand=/bin/true\nstratsecs=3\n" });
    expect(await refusal(path)).toBe(`${join(path, "..", "conf.d", "bad.conf")}: [program:p] stratsecs: unknown option for a program section`);
  });

  test("a bad value is refused, naming the file, the section and the option", async () => {
    const path = write("[program:p]\ncommand=/bin/true\nstartsecs=soon\n");
    expect(await refusal(path)).toBe(`${path}: [program:p] startsecs: invalid literal for int() with base 10: 'soon'`);
  });

  test("a program without command is refused", async () => {
    const path = write("[program:p]\nautostart=false\n");
    expect(await refusal(path)).toBe(`${path}: [program:p]: program section program:p does not specify a command`);
  });

  test("an unknown section is refused", async () => {
    const path = write("[programm:p]\ncommand=/bin/true\n");
    expect(await refusal(path)).toBe(`${path}: [programm:p]: unknown section`);
  });

  test("an expansion of an unknown name is refused with the names that exist", async () => {
    const path = write("[program:p]\ncommand=/bin/%(nope)s\n");
    expect(await refusal(path)).toContain(`${path}: [program:p] command: Format string '/bin/%(nope)s' for 'program:p.command' contains names ('nope') which cannot be expanded. Available names: `);
  });

  test("a group naming an unknown program is refused", async () => {
    const path = write("[group:g]\nprograms=missing\n");
    expect(await refusal(path)).toBe(`${path}: [group:g] programs: [group:g] names unknown program or fcgi-program missing`);
  });

  test("stopasgroup without killasgroup is refused", async () => {
    const path = write("[program:p]\ncommand=/bin/true\nstopasgroup=true\nkillasgroup=false\n");
    expect(await refusal(path)).toBe(`${path}: [program:p] killasgroup: Cannot set stopasgroup=true and killasgroup=false`);
  });

  test("an event listener needs known events and no redirect_stderr", async () => {
    expect(await refusal(write("[eventlistener:l]\ncommand=/bin/true\nevents=PROCESS_STATE_NOPE\n"))).toContain(
      "[eventlistener:l] events: Unknown event type PROCESS_STATE_NOPE in [eventlistener:l] events",
    );
    expect(await refusal(write("[eventlistener:l]\ncommand=/bin/true\nevents=TICK_5\nredirect_stderr=true\n"))).toContain(
      "[eventlistener:l] redirect_stderr: [eventlistener:l] section sets redirect_stderr=true",
    );
  });

  test("numprocs above 1 needs %(process_num) in process_name", async () => {
    const path = write("[program:p]\ncommand=/bin/true\nnumprocs=2\n");
    expect(await refusal(path)).toBe(`${path}: [program:p] process_name: %(process_num) must be present within process_name when numprocs > 1`);
  });

  test("the supervisor.configure hook sees the final strings and may change them", async () => {
    const path = write("[program:p]\ncommand=/bin/sleep %(program_name)s\n");
    const config = await loadSupervisorConfig(path, {
      programHook: async (definition) => ({
        ...definition,
        options: { ...definition.options, command: `/usr/bin/nice ${definition.options.command}`, environment: "WRAPPED=1" },
        cgroup: "/sys/fs/cgroup/test",
      }),
    });
    const p = config.groups[0].processes[0];
    expect(p.command).toBe("/usr/bin/nice /bin/sleep p");
    expect(p.environment).toEqual({ WRAPPED: "1" });
    expect(p.cgroup).toBe("/sys/fs/cgroup/test");
  });
});
