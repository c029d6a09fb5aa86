/**
 * What the node loop reads, after its supervisor died, to leave to the next
 * daemon the processes that daemon will adopt: the pids of the dead daemon's
 * state file. The file is a real one, written by `dist/slapos node
 * supervisord` and left by its kill -9; core reads it without importing the
 * supervisor plugin, so this pins the format they share.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { recordedPids } from "../../../core/node/run/supervisor-watch.ts";
import { killDaemon, makeInstance, program, startDaemon, waitState } from "../../plugins/supervisor/helpers.ts";

const instance = makeInstance("", "sv-watch-");
writeFileSync(join(instance.confDir, "m.conf"), program(instance, "m", "sleep 1000"));

describe("recordedPids", () => {
  test("the pids of the programs a daemon killed with -9 was running", async () => {
    await startDaemon(instance);
    const m = await waitState(instance, "m", "RUNNING");
    await killDaemon(instance);
    try {
      expect([...recordedPids(instance.pidfile)]).toEqual([m.pid as number]);
    } finally {
      process.kill(m.pid as number, "SIGKILL"); // the orphan the dead daemon left
    }
  });

  test("no state file, or one that is not the daemon's: nothing is recorded", () => {
    const dir = join(instance.dir, "other");
    expect(recordedPids(join(dir, "supervisord.pid")).size).toBe(0);
    writeFileSync(join(instance.dir, "foreign.processes.json"), "[1, 2, 3]");
    expect(recordedPids(join(instance.dir, "foreign.pid")).size).toBe(0);
    writeFileSync(join(instance.dir, "broken.processes.json"), '{"processes": [{"pid": 12');
    expect(recordedPids(join(instance.dir, "broken.pid")).size).toBe(0);
  });
});
