/**
 * A full disk during collect loses no earlier data. Each test mounts a
 * small tmpfs in a mount namespace of its own (`unshare -m`), so nothing
 * outside the test sees it; what is to be checked is copied out before the
 * namespace ends.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BINARY } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { isRoot, makeNode, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

const canUnshare = isRoot && Bun.spawnSync(["unshare", "-m", "true"]).exitCode === 0;

function inNamespace(script: string): { code: number; out: string } {
  const run = Bun.spawnSync(["unshare", "-m", "sh", "-c", `set -u\nmount --make-rprivate / 2>/dev/null\n${script}`], { stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, out: run.stdout.toString() + run.stderr.toString() };
}

const FILL = 'dd if=/dev/zero of="$1" bs=4096 2>/dev/null; dd if=/dev/zero of="$1.2" bs=1 2>/dev/null; true';

describe.skipIf(!canUnshare)("collect on a full disk", () => {
  test("the failed run exits 1 with a clear error; the database opens with every earlier row; the next run after freeing space succeeds", () => {
    const node = makeNode({ partitions: 1, cpuSampleInterval: 0 });
    const out = tempDir();
    const varFolder = join(node.instanceRoot, "var");
    const collect = `"${BINARY}" node collect --cfg "${node.cfgPath}"`;
    const result = inNamespace(`
mkdir -p "${varFolder}"
mount -t tmpfs -o size=2m tmpfs "${varFolder}"
fill() { ${FILL}; }
${collect} 2>"${out}/run1.log"; echo "run1=$?"
${collect} 2>"${out}/run2.log"; echo "run2=$?"
cp -a "${varFolder}" "${out}/before"
fill "${varFolder}/filler"
${collect} 2>"${out}/run3.log"; echo "run3=$?"
cp -a "${varFolder}/data-log/collector.db" "${out}/after-full.db"
ls -a "${varFolder}/data-log" "${varFolder}/xml_report/COMP-TIO" > "${out}/listing.txt"
rm -f "${varFolder}/filler" "${varFolder}/filler.2"
${collect} 2>"${out}/run4.log"; echo "run4=$?"
cp -a "${varFolder}/data-log/collector.db" "${out}/after-free.db"
`);
    expect(result.out).toContain("run1=0");
    expect(result.out).toContain("run2=0");
    expect(result.out).toContain("run3=1");
    expect(readFileSync(join(out, "run3.log"), "utf8")).toMatch(/Cannot store the sample in .*collector\.db: .*\(earlier samples are kept\)/);
    expect(result.out).toContain("run4=0");

    const rowsOf = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
        return db.query("SELECT date, time FROM system ORDER BY rowid").all() as Array<{ date: string; time: string }>;
      } finally {
        db.close();
      }
    };
    const before = rowsOf(join(out, "before", "data-log", "collector.db"));
    expect(before.length).toBe(2);
    expect(rowsOf(join(out, "after-full.db"))).toEqual(before);
    const afterFree = rowsOf(join(out, "after-free.db"));
    expect(afterFree.slice(0, 2)).toEqual(before);
    expect(afterFree.length).toBe(3);
    // No temporary file or truncated report was left behind by the failed run.
    expect(readFileSync(join(out, "listing.txt"), "utf8")).not.toContain(".tmp");
  });

  test("reports that cannot be written leave the earlier files whole and the past day unreported", () => {
    const node = makeNode({ partitions: 1, cpuSampleInterval: 0 });
    const out = tempDir();
    const varFolder = join(node.instanceRoot, "var");
    const dataLog = join(varFolder, "data-log");
    const script = join(out, "step.ts");
    const plugin = resolve(import.meta.dir, "../../../plugins/tio");
    // One collect step in-process: store a sample of a past day, then the reports, on a full disk.
    writeFileSync(
      script,
      `import { CollectorDb } from "${plugin}/store/database.ts";
import { writeSystemCsv } from "${plugin}/report/system-csv.ts";
import { dumpPastDays } from "${plugin}/report/raw-dump.ts";
import { appendToDataFile, initDataFile } from "${plugin}/report/monitor.ts";

const [mode, folder] = process.argv.slice(2);
const db = new CollectorDb(folder, { create: true });
const today = new Date().toISOString().slice(0, 10);
if (mode === "seed") {
  const base = { computer: { cpu_num_core: 1, cpu_frequency: 0, cpu_type: "0", memory_size: 1, memory_type: "0", partition_list: "" },
    system: { loadavg: 0.1, cpu_percent: 1, memory_used: 2048, memory_free: 1, net_in_bytes: 0, net_in_errors: 0, net_in_dropped: 0, net_out_bytes: 0, net_out_errors: 0, net_out_dropped: 0 },
    disks: [], temperatures: [], processes: [], folders: [] };
  db.insertSample({ ...base, date: "2000-01-01", time: "00:00:00" });
  db.insertSample({ ...base, date: today, time: "00:00:00" });
  db.insertSample({ ...base, date: today, time: "00:01:00" });
  writeSystemCsv(db, folder, today);
  initDataFile(folder + "/series.json", ["h".repeat(4096 - 29)], 1.5);
} else {
  for (const [name, step] of [["csv", () => writeSystemCsv(db, folder, today)], ["dump", () => dumpPastDays(db, folder, today)], ["append", () => appendToDataFile(folder + "/series.json", "x".repeat(100))]] as const) {
    try { step(); console.log(name + "=ok"); } catch (e) { console.log(name + "=failed " + (e as Error).message.split("\\n")[0]); }
  }
}
db.close();
`,
    );
    const bun = process.execPath;
    const result = inNamespace(`
mkdir -p "${varFolder}"
mount -t tmpfs -o size=1m tmpfs "${varFolder}"
mkdir -p "${dataLog}"
"${bun}" "${script}" seed "${dataLog}" || echo seed-failed
cp -a "${dataLog}" "${out}/before"
${FILL.replace(/\$1/g, `${varFolder}/filler`)}
"${bun}" "${script}" reports "${dataLog}"
cp -a "${dataLog}" "${out}/after"
`);
    expect(result.out).not.toContain("seed-failed");
    expect(result.out).toMatch(/csv=failed .*ENOSPC|csv=failed .*space/i);
    expect(result.out).toMatch(/dump=failed/);
    expect(result.out).toMatch(/append=failed/);
    // Every file that existed is whole; no temporary file, no half-written day folder file.
    for (const name of readdirSync(join(out, "before"))) {
      if (name === "collector.db" || name.endsWith("-journal")) continue;
      expect(readFileSync(join(out, "after", name), "utf8")).toBe(readFileSync(join(out, "before", name), "utf8"));
    }
    expect(readdirSync(join(out, "after")).filter((n) => n.includes(".tmp"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, "after", "series.json"), "utf8")).data.length).toBe(1);
    const db = new Database(join(out, "after", "collector.db"), { readonly: true });
    expect(db.query("SELECT reported FROM system WHERE date = '2000-01-01'").get()).toEqual({ reported: 0 });
    expect((db.query("SELECT count(*) AS n FROM system").get() as { n: number }).n).toBe(3);
    db.close();
    expect(existsSync(join(out, "after", "2000-01-01.tar.gz"))).toBe(false);
  });
});
