/**
 * The hooks core/node calls, answered by the supervisor plugin:
 * supervisor.launch starts the daemon, supervisor.write applies the files
 * it wrote, supervisor.call makes one XML-RPC call; another plugin's tap
 * on a bail hook answers before ours.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost, required } from "../../../core/hooks/loader.ts";
import { log } from "../../../core/log/logger.ts";
import supervisorPlugin from "../../../plugins/supervisor/index.ts";
import { partitionPrograms, writeGroupFiles } from "../../../core/node/instance/programs.ts";
import { createSupervisordConfiguration, supervisorPaths } from "../../../core/node/supervisor-files.ts";
import { noteDaemon, tempDir, track } from "./helpers.ts";

const root = tempDir("sv-nh-");
const paths = supervisorPaths(root);
const daemon = { dir: root, conf: paths.config, confDir: paths.configDir, socket: paths.socket, log: paths.logfile, pidfile: paths.pidfile };
track(daemon);
const host = new PluginHost();

function partition(id: string, program: string): string {
  const path = join(root, id);
  mkdirSync(join(path, "etc", "run"), { recursive: true });
  writeFileSync(join(path, "etc", "run", program), "#!/bin/sh\nexec sleep 1000\n");
  chmodSync(join(path, "etc", "run", program), 0o755);
  return path;
}

function writePrograms(id: string, path: string) {
  const ref = { id, path, instanceRoot: root };
  return writeGroupFiles(ref, { [id]: partitionPrograms(ref) });
}

beforeAll(async () => {
  host.add(supervisorPlugin);
  const config = new SlapConfig();
  await host.applyAll((loaded) => ({ config, options: {}, log, source: loaded.source, command: "test" }));
  await createSupervisordConfiguration(root);
  writePrograms("slappart0", partition("slappart0", "web"));
});

describe("hooks the node calls", () => {
  test("supervisor.launch starts the daemon", async () => {
    expect(await required(host.hooks.supervisor.launch, { instanceRoot: root, configPath: paths.config })).toBe(true);
    noteDaemon(daemon);
    const info = (await required(host.hooks.supervisor.call, {
      instanceRoot: root,
      method: "supervisor.getProcessInfo",
      params: ["slappart0:web"],
    })) as { statename: string };
    expect(info.statename).toBe("STOPPED");
  }, 30_000);

  test("supervisor.call makes the call; a fault throws with its name", async () => {
    await required(host.hooks.supervisor.call, { instanceRoot: root, method: "supervisor.startProcessGroup", params: ["slappart0", false] });
    const call = required(host.hooks.supervisor.call, { instanceRoot: root, method: "supervisor.startProcessGroup", params: ["nosuch", false] });
    await expect(call).rejects.toThrow("BAD_NAME: nosuch");
  });

  test("supervisor.write brings the daemon up to date with the files", async () => {
    const written = writePrograms("slappart1", partition("slappart1", "db"));
    await host.hooks.supervisor.write.promise({ instanceRoot: root, written: written.written, removed: [] });
    const info = (await required(host.hooks.supervisor.call, {
      instanceRoot: root,
      method: "supervisor.getProcessInfo",
      params: ["slappart1:db"],
    })) as { statename: string };
    expect(info.statename).toBe("STOPPED");
  });

  test("another plugin's tap on supervisor.launch answers before ours", async () => {
    const other = new PluginHost();
    other.add(supervisorPlugin);
    const calls: string[] = [];
    other.add({
      name: "systemd-launch",
      version: "1.0.0",
      apiVersion: "^1.0.0",
      apply(hooks) {
        hooks.supervisor.launch.tapPromise("systemd-launch", async ({ instanceRoot }) => {
          calls.push(instanceRoot);
          return true;
        });
      },
    });
    const config = new SlapConfig();
    await other.applyAll((loaded) => ({ config, options: {}, log, source: loaded.source, command: "test" }));
    expect(await required(other.hooks.supervisor.launch, { instanceRoot: "/nowhere", configPath: "/nowhere/etc/supervisord.conf" })).toBe(true);
    expect(calls).toEqual(["/nowhere"]);
  });
});
