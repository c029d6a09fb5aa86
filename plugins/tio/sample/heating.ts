/**
 * The heating test (format-collect-cli.md §2.8), optional: it runs only
 * when `[slapformat] heating_sensor_id` is set, the computer has been up
 * for more than a day and no test ran since boot. It loads every CPU,
 * reads the sensor every `[collect] heating_interval` seconds (30) until
 * the temperature stops rising (at most 600 s), and records whether the
 * machine heats enough to count as a heater (ratio 100) or not (0).
 *
 * [BUG] fixed: the reference's Python 3 path compares a tuple with a float
 * and unpacks None when the sensor is missing, and raises on an unknown
 * model; here a missing sensor, a hot sensor or an unknown model skip the
 * test with a warning, and the readings are compared as numbers.
 */
import type { CollectSample } from "../../../core/hooks/groups/report.ts";
import type { Logger } from "../../../core/log/logger.ts";
import { readSensors } from "./sensors.ts";

/** °C per second of load above which a model counts as heating. */
export const CONTRIBUTION_LIMITS: Readonly<Record<string, number>> = Object.freeze({ shuttle_ds61_i7: 0.045, nuc_i7: 0.055 });

/** One heating test's result, as the collect sample carries it. */
export type HeatingResult = NonNullable<CollectSample["heating"]>;

export interface HeatingOptions {
  sensorId: string;
  modelId: string;
  sensorsBinary: string;
  /** Seconds between readings. */
  interval: number;
  /** Longest test, seconds. */
  timeout?: number;
  cpuCount: number;
  log: Logger;
}

async function temperatureOf(options: HeatingOptions): Promise<{ temperature: number; alarm: number } | undefined> {
  const reading = (await readSensors(options.log, options.sensorsBinary)).find((r) => r.sensorId === options.sensorId);
  return reading && { temperature: reading.temperature, alarm: reading.alarm };
}

export async function heatingTest(options: HeatingOptions): Promise<HeatingResult | undefined> {
  const limit = CONTRIBUTION_LIMITS[options.modelId];
  if (limit === undefined) {
    options.log.warning(`Unknown computer_model_id ${options.modelId}: no heating test.`);
    return undefined;
  }
  const began = performance.now();
  const initial = await temperatureOf(options);
  if (!initial) {
    options.log.warning(`Impossible to test sensor: ${options.sensorId}`);
    return undefined;
  }
  // Too hot already: the rise could not be measured properly.
  if (initial.alarm > 0) return undefined;
  const load = Array.from({ length: Math.max(1, options.cpuCount) }, () =>
    Bun.spawn(["sh", "-c", "while :; do :; done"], { stdin: "ignore", stdout: "ignore", stderr: "ignore" }),
  );
  const deadline = began + (options.timeout ?? 600) * 1000;
  let candidate = initial.temperature;
  let current = candidate;
  try {
    await Bun.sleep(options.interval * 1000);
    current = (await temperatureOf(options))?.temperature ?? candidate;
    while (current > candidate && performance.now() < deadline) {
      candidate = current;
      await Bun.sleep(options.interval * 1000);
      current = (await temperatureOf(options))?.temperature ?? candidate;
    }
  } finally {
    for (const child of load) child.kill("SIGKILL");
    await Promise.all(load.map((child) => child.exited));
  }
  const duration = (performance.now() - began) / 1000;
  const contribution = (current - initial.temperature) / duration;
  return {
    model_id: options.modelId,
    sensor_id: options.sensorId,
    initial_temperature: initial.temperature,
    final_temperature: current,
    delta_time: duration,
    zero_emission_ratio: contribution < limit ? 0 : 100,
  };
}
