/** 50 concurrent requesters on one master: never the same partition twice, never a lost request. */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { format, quietLog, req, testMaster, type TestMaster } from "./helpers.ts";

const REQUESTERS = 50;
let plain: TestMaster;
let slowHook: TestMaster;

beforeAll(async () => {
  plain = await testMaster();
  await format(plain, REQUESTERS + 10);
  // A plugin that awaits inside the allocation makes requests overlap inside the master.
  const host = new PluginHost();
  host.add({
    name: "slow-allocator",
    version: "1.0.0",
    apiVersion: "^1.0.0",
    apply(h) {
      h.master.allocate.tapPromise("slow-allocator", async () => {
        await Bun.sleep(1);
        return undefined;
      });
    },
  });
  await host.applyAll(() => ({ config: new SlapConfig(), options: {}, log: quietLog, source: "built-in", command: "test" }));
  slowHook = await testMaster({}, { hooks: host.hooks });
  await format(slowHook, REQUESTERS + 10);
});
afterAll(async () => {
  await plain.stop();
  await slowHook.stop();
});

function busy(m: TestMaster): Array<{ reference: string; partition_reference: string }> {
  const db = new Database(m.databaseUri, { readonly: true });
  try {
    return db.query("SELECT reference, partition_reference FROM partition WHERE slap_state='busy' ORDER BY reference").all() as never;
  } finally {
    db.close();
  }
}

describe("concurrent requesters", () => {
  for (const [label, master] of [["plain", () => plain], ["with an awaiting allocation hook", () => slowHook]] as const) {
    test(`${REQUESTERS} concurrent requests get ${REQUESTERS} different partitions (${label})`, async () => {
      const m = master();
      const names = Array.from({ length: REQUESTERS }, (_, i) => `concurrent-${i}`);
      const first = await Promise.all(names.map((name) => req(m, { name, params: { i: name } })));
      const partitions = first.map((a) => a.state.slap_computer_partition_id as string);
      expect(new Set(partitions).size).toBe(REQUESTERS);
      const again = await Promise.all(names.map((name) => req(m, { name, params: { i: name } })));
      expect(again.map((a) => a.state.slap_computer_partition_id)).toEqual(partitions);
      const rows = busy(m);
      expect(rows.length).toBe(REQUESTERS);
      expect(new Set(rows.map((r) => r.partition_reference))).toEqual(new Set(names));
    });
  }
});

describe("another process writing in the middle of a request", () => {
  test("the request's transaction is run again with the write lock, and succeeds once", async () => {
    let calls = 0;
    let other: Database | undefined;
    const host = new PluginHost();
    host.add({
      name: "meddler",
      version: "1.0.0",
      apiVersion: "^1.0.0",
      apply(h) {
        h.master.allocate.tapPromise("meddler", async () => {
          calls++;
          // Another connection (as `slapos proxy token` would) commits while our transaction reads.
          if (calls === 1) other!.query("INSERT INTO computer_token (token, created) VALUES ('t', 0)").run();
          return undefined;
        });
      },
    });
    await host.applyAll(() => ({ config: new SlapConfig(), options: {}, log: quietLog, source: "built-in", command: "test" }));
    const m = await testMaster({}, { hooks: host.hooks });
    try {
      await format(m, 2);
      other = new Database(m.databaseUri);
      const answer = await req(m, { name: "meddled" });
      expect(answer.state.slap_computer_partition_id).toBe("slappart0");
      expect(calls).toBe(2);
      expect(busy(m)).toEqual([{ reference: "slappart0", partition_reference: "meddled" }]);
    } finally {
      other?.close();
      await m.stop();
    }
  });
});
