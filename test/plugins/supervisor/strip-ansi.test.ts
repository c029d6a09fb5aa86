/**
 * `[supervisord] strip_ansi`: escape sequences are removed from the
 * programs' log files when set, kept when not; a restart in place (SIGHUP)
 * applies the value the configuration holds then, as supervisord's does.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { makeInstance, program, readText, script, startDaemon, waitState } from "./helpers.ts";

const instance = makeInstance();
const logFile = join(instance.dir, "logs", "colour.log");
const daemonPid = () => Number(readFileSync(instance.pidfile, "utf8").trim());
const setStripAnsi = (value: boolean) => {
  const text = readFileSync(instance.conf, "utf8").replace(/\nstrip_ansi = \w+/, "");
  writeFileSync(instance.conf, text.replace("loglevel = debug", `loglevel = debug\nstrip_ansi = ${value}`));
};

beforeAll(async () => {
  const colour = script(join(instance.dir, "colour.sh"), "printf '\\033[31mred\\033[0m line\\n'\nexec sleep 1000");
  writeFileSync(join(instance.confDir, "c.conf"), program(instance, "colour", colour));
  setStripAnsi(false);
  await startDaemon(instance);
  await waitState(instance, "colour", "RUNNING");
});

describe("strip_ansi", () => {
  test("false: the escape sequences reach the log file", async () => {
    await waitFor(() => readText(logFile).includes("line"), 20, "the program's output");
    expect(readText(logFile)).toBe("\u001b[31mred\u001b[0m line\n");
  });

  test("set to true before a SIGHUP restart: the new value applies to what follows", async () => {
    setStripAnsi(true);
    process.kill(daemonPid(), "SIGHUP");
    await waitFor(() => readText(logFile).split("line").length === 3, 30, "the restarted program's output");
    expect(readText(logFile)).toBe("\u001b[31mred\u001b[0m line\nred line\n");
  });
});
