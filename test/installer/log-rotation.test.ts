/**
 * The binary rotates its own log files (what the cron.d lines' --logfile
 * write), so an installed node needs no logrotate: past
 * SLAPOS_LOG_MAX_BYTES a file becomes .1, .1 becomes .2, up to
 * SLAPOS_LOG_BACKUPS files; nothing is lost but what falls off the end.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { slapos } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

test("a log file past the size limit rotates to .1, .2 and the oldest backup is dropped", async () => {
  const dir = tempDir();
  const log = join(dir, "slapos-node-bang.log");
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(cfg, "[slapos]\nroot_check = false\nmaster_url = http://127.0.0.1:1\n");
  const env = { SLAPOS_LOG_MAX_BYTES: "300", SLAPOS_LOG_BACKUPS: "2" };
  for (let run = 0; run < 8; run++) {
    // Each run logs one ERROR record (no computer_id) of about 100 bytes.
    const r = await slapos(["--log-file", log, "node", "bang", "--cfg", cfg, "-m", `run ${run}`], { env });
    expect(r.code).toBe(1);
  }
  expect([log, `${log}.1`, `${log}.2`].map(existsSync)).toEqual([true, true, true]);
  expect(existsSync(`${log}.3`)).toBe(false);
  for (const path of [log, `${log}.1`, `${log}.2`]) {
    expect(statSync(path).size).toBeLessThanOrEqual(300);
    expect(readFileSync(path, "utf8")).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR    \[slapos\] computer_id is missing/);
  }
  // Whole records only: every file holds one or more complete lines.
  for (const path of [log, `${log}.1`, `${log}.2`]) expect(readFileSync(path, "utf8")).toEndWith("\n");
});

test("SLAPOS_LOG_MAX_BYTES=0 turns rotation off", async () => {
  const dir = tempDir();
  const log = join(dir, "x.log");
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(cfg, "[slapos]\nroot_check = false\n");
  for (let run = 0; run < 4; run++) await slapos(["--log-file", log, "node", "bang", "--cfg", cfg], { env: { SLAPOS_LOG_MAX_BYTES: "0" } });
  expect(existsSync(`${log}.1`)).toBe(false);
  expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(4);
});
