/**
 * kill -9 the compiled master in the middle of a burst of requests and
 * formats, restart it on the same database: the database is consistent —
 * every acknowledged request is there on the partition it was given, no
 * row is half-written, and a computer is formatted with one whole
 * partition list or the other, never a mix.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import type { PyObject } from "../../../core/slap/marshal/values.ts";
import { startSlapos } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { format, formatDocument, rawPost, requestFields } from "./helpers.ts";

const dir = tempDir("slapos-kill9-");
const database = join(dir, "proxy.db");
let child: ReturnType<typeof startSlapos> | undefined;
afterAll(() => child?.kill("SIGKILL"));

async function start(port: number) {
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(cfg, `[slapos]\ncomputer_id = computer\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${database}\n`);
  child = startSlapos(["proxy", "start", "--cfg", cfg]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/getRunId`)).ok, 30, "the master to answer");
  return { url };
}

const LIST_A = Array.from({ length: 60 }, (_, i) => `a${i}`);
const LIST_B = Array.from({ length: 40 }, (_, i) => `b${i}`);

describe("kill -9 in the middle of a burst", () => {
  test("the restarted master finds a consistent database", async () => {
    const master = await start(await freePort());
    await format(master, 400);
    const acknowledged = new Map<string, string>();
    let stop = false;
    const requester = async (worker: number) => {
      for (let i = 0; !stop && i < 1000; i++) {
        const name = `burst-${worker}-${i}`;
        try {
          const answer = await rawPost(master, "/requestComputerPartition", requestFields({ name, params: { worker: String(worker), i: String(i) } }));
          if (answer.status === 200) acknowledged.set(name, (loads(answer.body) as PyObject).state.slap_computer_partition_id as string);
        } catch {
          return; // the master is gone
        }
      }
    };
    const formatter = async () => {
      for (let i = 0; !stop; i++) {
        try {
          await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument(i % 2 ? LIST_B : LIST_A, "COMP-FORMAT"))]]);
        } catch {
          return;
        }
      }
    };
    const workers = [...Array.from({ length: 8 }, (_, w) => requester(w)), formatter(), formatter()];
    await waitFor(() => acknowledged.size >= 60, 60, "requests to be acknowledged");
    child!.kill("SIGKILL");
    await child!.exited;
    stop = true;
    await Promise.all(workers);
    expect(acknowledged.size).toBeGreaterThanOrEqual(60);

    const db = new Database(database);
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    const rows = db.query("SELECT * FROM partition WHERE computer_reference='computer' AND slap_state='busy'").all() as Array<Record<string, unknown>>;
    for (const [name, partitionId] of acknowledged) {
      const row = rows.find((r) => r.partition_reference === name);
      expect(row?.reference).toBe(partitionId);
    }
    for (const row of rows) {
      expect(row.software_release).toBe("http://sr//");
      expect(String(row.xml)).toContain('<parameter id="worker">');
      expect(typeof row.timestamp).toBe("number");
    }
    const duplicates = db.query("SELECT partition_reference, COUNT(*) AS n FROM partition WHERE slap_state='busy' GROUP BY partition_reference, requested_by HAVING n > 1").all();
    expect(duplicates).toEqual([]);
    const formatted = (db.query("SELECT reference FROM partition WHERE computer_reference='COMP-FORMAT' ORDER BY reference").all() as Array<{ reference: string }>).map((r) => r.reference);
    expect([[...LIST_A].sort(), [...LIST_B].sort()]).toContainEqual(formatted);
    const networks = (db.query("SELECT COUNT(*) AS n FROM partition_network WHERE computer_reference='COMP-FORMAT'").get() as { n: number }).n;
    expect(networks).toBe(formatted.length * 2);
    db.close();

    const again = await start(await freePort());
    const [name, partitionId] = [...acknowledged][0];
    const answer = await rawPost(again, "/requestComputerPartition", requestFields({ name, params: { worker: "x" } }));
    expect((loads(answer.body) as PyObject).state.slap_computer_partition_id).toBe(partitionId);
    child!.kill("SIGTERM");
    await child!.exited;
  });
});
