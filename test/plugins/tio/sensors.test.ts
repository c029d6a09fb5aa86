/**
 * Temperatures (`sensors -u`) and the optional heating test
 * (format-collect-cli.md §2.8). The `sensors` these tests run is a small
 * script printing lm-sensors' output format.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { heatingTest } from "../../../plugins/tio/sample/heating.ts";
import { parseSensors, readSensors } from "../../../plugins/tio/sample/sensors.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { log, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

const OUTPUT = `coretemp-isa-0000
Adapter: ISA adapter
Package id 0:
  temp1_input: 45.000
  temp1_max: 80.000
  temp1_crit: 100.000
  temp1_crit_alarm: 0.000
Core 0:
  temp2_input: 85.000
  temp2_max: 80.000
  temp2_crit: 100.000
Core 1:
  temp3_input: 101.000
  temp3_max: 80.000
  temp3_crit: 100.000
Core 2:
  temp4_input: 101.000
  temp4_crit: 100.000

acpitz-acpi-0
Adapter: ACPI interface
temp1:
  temp1_input: 27.800
`;

function script(body: string): string {
  const path = join(tempDir(), "sensors");
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("parsing sensors -u", () => {
  const readings = parseSensors(OUTPUT);
  test("one reading per temp*_input, named '<adapter line> <label line>'", () => {
    expect(readings.map((r) => r.sensorId)).toEqual([
      "coretemp-isa-0000 Package id 0:",
      "coretemp-isa-0000 Core 0:",
      "coretemp-isa-0000 Core 1:",
      "coretemp-isa-0000 Core 2:",
      "acpitz-acpi-0 temp1:",
    ]);
    expect(readings.map((r) => r.temperature)).toEqual([45, 85, 101, 101, 27.8]);
  });
  test("alarm: 0 below max, 1 at or above max, 2 at or above critical too; missing limits are 1000", () => {
    expect(readings.map((r) => r.alarm)).toEqual([0, 1, 2, 1, 0]);
    expect(readings[3]).toMatchObject({ maximal: 1000, critical: 100 });
    expect(readings[4]).toMatchObject({ maximal: 1000, critical: 1000 });
  });
});

describe("running sensors", () => {
  test("[BUG] fixed: no sensors binary means no temperatures, not a failed collect", async () => {
    expect(await readSensors(log, join(tempDir(), "no-such-sensors"))).toEqual([]);
    expect(await readSensors(log, "slapos-no-such-sensors-binary")).toEqual([]);
  });
  test("'No sensors found!' with a failing exit is no temperatures", async () => {
    expect(await readSensors(log, script('echo "No sensors found!"; echo "Make sure you loaded all the kernel drivers you need." >&2; exit 1'))).toEqual([]);
  });
  test("another failure is a warning and no temperatures", async () => {
    expect(await readSensors(log, script("echo broken >&2; exit 3"))).toEqual([]);
  });
  test("the readings of a working sensors", async () => {
    const path = join(tempDir(), "out.txt");
    writeFileSync(path, OUTPUT);
    const readings = await readSensors(log, script(`[ "$1" = "-u" ] || exit 9\ncat "${path}"`));
    expect(readings.length).toBe(5);
  });
});

describe("the heating test", () => {
  /** A sensor warming by `step` degrees per reading, starting at 40, up to `top`. */
  function warming(step: number, top: number): string {
    const counter = join(tempDir(), "n");
    writeFileSync(counter, "0");
    return script(
      `n=$(cat "${counter}"); echo $((n+1)) > "${counter}"\n` +
        `t=$((40 + n * ${step})); [ $t -gt ${top} ] && t=${top}\n` +
        `printf 'coretemp-isa-0000\\nAdapter: ISA adapter\\nCore 0:\\n  temp2_input: %s.000\\n  temp2_max: 90.000\\n' $t`,
    );
  }
  const base = { sensorId: "coretemp-isa-0000 Core 0:", cpuCount: 1, log, interval: 0.05 };

  test("a machine that warms fast enough is a heater (ratio 100), readings compared as numbers", async () => {
    const result = await heatingTest({ ...base, modelId: "nuc_i7", sensorsBinary: warming(5, 60) });
    expect(result).toMatchObject({ model_id: "nuc_i7", initial_temperature: 40, final_temperature: 60, zero_emission_ratio: 100 });
    expect(result!.delta_time).toBeGreaterThan(0);
  });
  test("a machine that does not warm is not (ratio 0)", async () => {
    const result = await heatingTest({ ...base, modelId: "shuttle_ds61_i7", sensorsBinary: warming(0, 40) });
    expect(result).toMatchObject({ initial_temperature: 40, final_temperature: 40, zero_emission_ratio: 0 });
  });
  test("[BUG] fixed: a missing sensor skips the test instead of crashing", async () => {
    expect(await heatingTest({ ...base, sensorId: "nope", modelId: "nuc_i7", sensorsBinary: warming(5, 60) })).toBeUndefined();
  });
  test("an unknown model skips the test", async () => {
    expect(await heatingTest({ ...base, modelId: "toaster", sensorsBinary: warming(5, 60) })).toBeUndefined();
  });
});
