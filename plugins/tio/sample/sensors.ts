/**
 * Temperatures from lm-sensors' `sensors -u` (format-collect-cli.md §2.8).
 * [BUG] fixed: the reference fails the whole collect when `sensors` is not
 * installed; here a missing binary means "no sensors", and a failing one is
 * a warning, so the rest of the sample is still stored.
 */
import { existsSync } from "node:fs";
import type { Logger } from "../../../core/log/logger.ts";

export interface SensorReading {
  /** `<adapter line> <label line>`, e.g. `coretemp-isa-0000 Core 0:`. */
  sensorId: string;
  temperature: number;
  maximal: number;
  critical: number;
  /** 0 below max, 1 at or above max, 2 at or above critical too. */
  alarm: number;
}

/** Parse the output of `sensors -u`, the reference's way (raw previous lines kept as ids). */
export function parseSensors(output: string): SensorReading[] {
  const lines = output.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  let adapter = "";
  const out: SensorReading[] = [];
  lines.forEach((line, index) => {
    const stripped = line.trim();
    if (stripped.startsWith("Adapter:")) {
      adapter = lines[index - 1] ?? "";
      return;
    }
    if (!(stripped.startsWith("temp") && stripped.includes("_input"))) return;
    const temperature = Number(line.trim().split(/\s+/).pop());
    let maximal = 1000;
    let critical = 1000;
    for (const next of lines.slice(index + 1, index + 3)) {
      const s = next.trim();
      if (s.startsWith("temp") && s.includes("_max")) maximal = Number(s.split(/\s+/).pop());
      else if (s.startsWith("temp") && s.includes("_crit")) critical = Number(s.split(/\s+/).pop());
    }
    const alarm = (temperature >= maximal ? 1 : 0) + (temperature >= critical ? 1 : 0);
    out.push({ sensorId: `${adapter} ${lines[index - 1] ?? ""}`, temperature, maximal, critical, alarm });
  });
  return out;
}

/** Run `sensors -u` (found on PATH, or `binary`); [] when it is absent or finds nothing. */
export async function readSensors(log: Logger, binary = "sensors"): Promise<SensorReading[]> {
  const path = binary.includes("/") ? (existsSync(binary) ? binary : undefined) : Bun.which(binary);
  if (!path) {
    log.debug(`${binary} is not installed: no temperature sensors.`);
    return [];
  }
  let output: string;
  let code: number;
  try {
    const child = Bun.spawn([path, "-u"], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const [out, err, exit] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    output = out + err;
    code = exit;
  } catch (error) {
    log.warning(`Cannot run ${path}: ${error instanceof Error ? error.message : String(error)}; no temperatures this time.`);
    return [];
  }
  if (code !== 0) {
    // Virtual machines have no sensors: the reference accepts that one failure.
    if (!output.includes("No sensors found!")) log.warning(`${path} -u failed (exit ${code}): ${output.trim().split("\n")[0] ?? ""}`);
    return [];
  }
  return parseSensors(output);
}
