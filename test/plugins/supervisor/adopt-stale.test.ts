/**
 * A state file that does not describe this daemon's processes adopts
 * nothing, and leaves the processes it names alone: pids now used by
 * other processes (another start time), a process without the daemon's
 * SUPERVISOR_* environment, a file of another boot or of another
 * configuration. The control: a file that matches in every respect is
 * adopted (so the checks, not chance, make the difference).
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSupervisorConfig } from "../../../plugins/supervisor/config/load.ts";
import { spawnFingerprint } from "../../../plugins/supervisor/daemon/adoption.ts";
import { bootId, readStat } from "../../../plugins/supervisor/daemon/proc.ts";
import type { StateEntry, StateFile } from "../../../plugins/supervisor/daemon/state-file.ts";
import { waitFor } from "../../helpers/ports.ts";
import { isAlive, makeInstance, program, readText, rpc, startDaemon, waitState } from "./helpers.ts";

const instance = makeInstance("", "sv-stale-");
const serverurl = `unix://${instance.socket}`;
writeFileSync(join(instance.confDir, "m.conf"), program(instance, "m", "sleep 1000"));

const strangers: Array<ReturnType<typeof Bun.spawn>> = [];

/** A process the test starts (not the daemon), with or without the environment the daemon gives `m`. */
function stranger(withMarkers: boolean): { pid: number; start: string } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  if (withMarkers) Object.assign(env, { SUPERVISOR_PROCESS_NAME: "m", SUPERVISOR_GROUP_NAME: "m", SUPERVISOR_SERVER_URL: serverurl });
  const child = Bun.spawn(["sleep", "1000"], { env, stdio: ["ignore", "ignore", "ignore"] });
  strangers.push(child);
  return { pid: child.pid, start: readStat(child.pid)!.start };
}

async function stateFile(processes: Array<Partial<StateEntry> & { pid: number; start: string }>, change: Partial<StateFile> = {}) {
  const config = await loadSupervisorConfig(instance.conf);
  const m = config.groups.find((g) => g.name === "m")!.processes[0];
  const file: StateFile = {
    version: 1,
    boot: bootId(),
    daemon: { pid: 999_999_999, start: "1" },
    identity: { config: realpathSync(instance.conf), serverurl, identifier: "supervisor" },
    processes: processes.map((p) => ({
      group: "m",
      name: "m",
      uid: process.getuid!(),
      serverurl,
      laststart: Date.now() / 1000 - 60,
      state: "RUNNING",
      spawn: spawnFingerprint(m, serverurl),
      pipes: [],
      stopsignal: 15,
      stopwaitsecs: 5,
      stopasgroup: false,
      killasgroup: false,
      ...p,
    })),
    ...change,
  };
  writeFileSync(join(instance.dir, "supervisord.processes.json"), JSON.stringify(file));
}

/** Start the daemon on the state file written, and return m's pid once RUNNING. */
async function runM(): Promise<number> {
  await startDaemon(instance);
  return ((await waitState(instance, "m", "RUNNING")) as { pid: number }).pid;
}

afterEach(async () => {
  const pid = Number(readText(instance.pidfile).trim());
  if (pid && isAlive(pid)) {
    await rpc(instance)("shutdown");
    await waitFor(() => !isAlive(pid), 30, "shutdown");
  }
});

afterAll(() => {
  for (const child of strangers) child.kill("SIGKILL");
});

describe("a stale state file adopts nothing", () => {
  test("a pid now used by another process (another start time) is not adopted, nor signalled", async () => {
    const other = stranger(true);
    await stateFile([{ pid: other.pid, start: String(Number(other.start) + 1) }]);
    const pid = await runM();
    expect(pid).not.toBe(other.pid);
    expect(readText(instance.log)).toContain(`not adopting 'm' (pid ${other.pid}): its pid now belongs to another process`);
    expect(isAlive(other.pid)).toBe(true);
  });

  test("a process without the daemon's SUPERVISOR_* environment is not adopted; named by an unknown program, it is not stopped", async () => {
    const plain = stranger(false);
    const another = stranger(false);
    await stateFile([
      { pid: plain.pid, start: plain.start },
      { pid: another.pid, start: another.start, group: "gone", name: "gone" },
    ]);
    const pid = await runM();
    expect(pid).not.toBe(plain.pid);
    expect(readText(instance.log)).toContain(`not adopting 'm' (pid ${plain.pid}): its environment has no SUPERVISOR_PROCESS_NAME=m`);
    expect(readText(instance.log)).not.toContain("stopping 'gone'");
    expect(isAlive(plain.pid) && isAlive(another.pid)).toBe(true);
  });

  test("a state file of another boot is not used", async () => {
    const twin = stranger(true);
    await stateFile([{ pid: twin.pid, start: twin.start }], { boot: "00000000-0000-0000-0000-000000000000" });
    expect(await runM()).not.toBe(twin.pid);
    expect(isAlive(twin.pid)).toBe(true);
  });

  test("a state file of a daemon with another configuration is not used", async () => {
    const twin = stranger(true);
    await stateFile([{ pid: twin.pid, start: twin.start }], {
      identity: { config: "/elsewhere/supervisord.conf", serverurl, identifier: "supervisor" },
    });
    expect(await runM()).not.toBe(twin.pid);
    expect(readText(instance.log)).toContain("state file of a supervisord with another configuration (/elsewhere/supervisord.conf");
    expect(isAlive(twin.pid)).toBe(true);
  });

  test("control: an entry that matches in every respect is adopted", async () => {
    const twin = stranger(true);
    await stateFile([{ pid: twin.pid, start: twin.start }]);
    expect(await runM()).toBe(twin.pid);
    // Its stdout is not a pipe the daemon made: nobody's output is read by mistake.
    expect(readText(instance.log)).toContain(`adopted: 'm' with pid ${twin.pid}, started by a previous supervisord (its stdout is not a pipe of ours: its output is not read)`);
  });
});
