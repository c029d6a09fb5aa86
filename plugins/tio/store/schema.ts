/**
 * The reference's collector.db schema (format-collect-cli.md §2.3), table
 * by table in creation order, with the declared types that give the
 * columns their affinities (a number stored in a `text` column reads back
 * as text, a `name` column has NUMERIC affinity, `real` columns turn
 * integers into floats).
 */

export const DATABASE_NAME = "collector.db";

/** Table name → column list, in creation order. */
export const TABLES: ReadonlyArray<readonly [string, string]> = [
  [
    "user",
    "partition text, pid real, process text, cpu_percent real, cpu_time real, cpu_num_threads real, memory_percent real, " +
      "memory_rss real, io_rw_counter real, io_cycles_counter real, date text, time text, reported integer NULL DEFAULT 0",
  ],
  ["folder", "partition text, disk_used real, date text, time text, reported integer NULL DEFAULT 0"],
  [
    "computer",
    "cpu_num_core real, cpu_frequency real, cpu_type text, memory_size real, memory_type text, partition_list text, " +
      "date text, time text, reported integer NULL DEFAULT 0",
  ],
  [
    "system",
    "loadavg real, cpu_percent real, memory_used real, memory_free real, net_in_bytes real, net_in_errors real, " +
      "net_in_dropped real, net_out_bytes real, net_out_errors real, net_out_dropped real, date text, time text, " +
      "reported integer NULL DEFAULT 0",
  ],
  ["disk", "partition text, used text, free text, mountpoint text, date text, time text, reported integer NULL DEFAULT 0"],
  ["temperature", "sensor_id name, temperature real, alarm integer, date text, time text, reported integer NULL DEFAULT 0"],
  [
    "heating",
    "model_id name, sensor_id name, initial_temperature real, final_temperature real, delta_time real, " +
      "zero_emission_ratio real, date text, time text, reported integer NULL DEFAULT 0",
  ],
];

/** Tables the garbage collection never empties. */
export const PRESERVED_TABLES = new Set(["heating"]);

/** The statements of a bootstrap, in the reference's order. */
export function bootstrapStatements(): string[] {
  const out: string[] = [];
  for (const [name, columns] of TABLES) {
    out.push(`CREATE TABLE IF NOT EXISTS ${name} (${columns})`);
    if (name === "user") out.push("CREATE INDEX IF NOT EXISTS user_partition_date_time ON user (partition, date, time)");
  }
  for (const [name] of TABLES) out.push(`CREATE INDEX IF NOT EXISTS ${name}_date_reported_index ON ${name} (date, reported)`);
  return out;
}
