/** slap-protocol-cases.md C11–C22, C26, C27, C55: requests, states, destruction. */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict, PyObject } from "../../../core/slap/marshal/values.ts";
import { format, full, params, partition, rawPost, req, reqRaw, testMaster, type TestMaster } from "./helpers.ts";

let master: TestMaster;
afterEach(() => master?.stop());

const idOf = (o: PyObject) => o.state.slap_computer_partition_id as string;
const stampOf = (o: PyObject) => params(o).timestamp as string;

function rows(m: TestMaster, sql: string): Array<Record<string, unknown>> {
  const db = new Database(m.databaseUri, { readonly: true });
  try {
    return db.query(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

describe("requests (C11–C22, C26, C27, C55)", () => {
  test("C11: first request gets a started partition", async () => {
    master = await testMaster();
    await format(master, 1);
    const before = Date.now() / 1000;
    const answer = await req(master, { name: "MyFirstInstance", from: "slappart0" });
    const after = Date.now() / 1000 + 0.001;
    expect(idOf(answer)).toBe("slappart0");
    expect(answer.state._requested_state).toBe("started");
    expect(answer.state._instance_guid).toBe("computer-slappart0");
    expect(Number(stampOf(answer))).toBeLessThanOrEqual(after);
    expect(Number(stampOf(answer))).toBeGreaterThanOrEqual(before - 0.001);
  });

  test("C12: instance names are scoped per instance tree", async () => {
    master = await testMaster();
    await format(master, 3);
    expect(idOf(await req(master, { name: "MyFirstInstance" }))).toBe("slappart0");
    expect(idOf(await req(master, { name: "MySecondInstance" }))).toBe("slappart1");
    expect(idOf(await req(master, { name: "foo", from: "slappart0" }))).toBe("slappart2");
    expect((await reqRaw(master, { name: "foo", from: "slappart1" })).status).toBe(404);
  });

  test("C13: requests from non-existent partitions are user requests", async () => {
    master = await testMaster();
    await format(master, 2);
    const a = await req(master, { name: "MyFirstInstance", from: "slappart2" });
    const b = await req(master, { name: "MyFirstInstance", from: "slappart3" });
    expect(idOf(a)).toBe("slappart0");
    expect(idOf(b)).toBe("slappart0");
  });

  test("C14: idempotent request", async () => {
    master = await testMaster();
    await format(master, 2);
    const before = Date.now() / 1000 - 0.001;
    const a = await req(master, { name: "MyFirstInstance", from: "slappart2" });
    await Bun.sleep(100);
    const b = await req(master, { name: "MyFirstInstance", from: "slappart2" });
    expect(dumps(b)).toBe(dumps(a));
    expect(Number(stampOf(a))).toBeGreaterThanOrEqual(before);
  });

  test("C15: bang refreshes the whole tree only", async () => {
    master = await testMaster();
    await format(master, 3);
    const parent = await req(master, { name: "MyFirstInstance" });
    const child = await req(master, { name: "MySubInstance", from: idOf(parent) });
    const other = await req(master, { name: "AnotherInstance" });
    const original = Number(stampOf(parent));
    for (const caller of [idOf(parent), idOf(child)]) {
      const answer = await rawPost(master, "/softwareInstanceBang", [["computer_id", "computer"], ["computer_partition_id", caller], ["message", "x"]]);
      expect(answer.body).toBe("OK");
      const p = params(await partition(master, idOf(parent))).timestamp;
      const c = params(await partition(master, idOf(child))).timestamp;
      expect(p).toBe(c);
      expect(Number(p)).toBeGreaterThanOrEqual(original);
      expect(params(await partition(master, idOf(other))).timestamp).toBe(stampOf(other));
    }
  });

  test("C16: parent state propagates to children on re-request", async () => {
    master = await testMaster();
    await format(master, 2);
    const parent = await req(master, { name: "MyFirstInstance" });
    await req(master, { name: "MySubInstance", from: idOf(parent) });
    for (const s of ["stopped", "started"]) {
      const p = await req(master, { name: "MyFirstInstance", state: s });
      const c = await req(master, { name: "MySubInstance", from: idOf(parent) });
      expect(p.state._requested_state).toBe(s);
      expect(c.state._requested_state).toBe(s);
    }
  });

  test("C17: child may be stopped under a started parent", async () => {
    master = await testMaster();
    await format(master, 2);
    const parent = await req(master, { name: "MyFirstInstance" });
    await req(master, { name: "MySubInstance", from: idOf(parent) });
    const p = await req(master, { name: "MyFirstInstance" });
    const c = await req(master, { name: "MySubInstance", from: idOf(parent), state: "stopped" });
    expect(p.state._requested_state).toBe("started");
    expect(c.state._requested_state).toBe("stopped");
  });

  test("C18: same name with new parameters updates in place", async () => {
    master = await testMaster();
    await format(master, 2);
    const first = await req(master, { name: "MyFirstInstance", from: "slappart2", params: { domain: "fou.org" } });
    const full1 = await partition(master, idOf(first));
    await Bun.sleep(100);
    const second = await req(master, { type: "Papa", name: "MyFirstInstance", from: "slappart2", params: { domain: "carzy.org" } });
    const full2 = await partition(master, idOf(second));
    expect(idOf(second)).toBe(idOf(first));
    expect(second.state.slap_computer_id).toBe(first.state.slap_computer_id);
    const p1 = { ...params(full1) };
    const p2 = { ...params(full2) };
    expect(Number(p2.timestamp)).toBeGreaterThan(Number(p1.timestamp));
    expect(p1.timestamp).toBe(stampOf(first));
    expect(p2.timestamp).toBe(stampOf(second));
    expect([p1.domain, p1.slap_software_type, p2.domain, p2.slap_software_type]).toEqual(["fou.org", "default", "carzy.org", "Papa"]);
    for (const p of [p1, p2]) for (const key of ["timestamp", "domain", "slap_software_type"]) delete p[key];
    expect(dumps(p2 as PyDict)).toBe(dumps(p1 as PyDict));
    const rest1 = { ...full1.state, _parameter_dict: null };
    const rest2 = { ...full2.state, _parameter_dict: null };
    expect(dumps(rest2 as PyDict)).toBe(dumps(rest1 as PyDict));
  });

  test("C19: same name with a new SR URL switches the software", async () => {
    master = await testMaster();
    await format(master, 2);
    const first = await req(master, { name: "MyFirstInstance", from: "slappart2", params: { domain: "fou.org" } });
    expect((await full(master)).getComputerPartitionList()[0].getSoftwareReleaseUrl()).toBe("http://sr//");
    await req(master, { sr: "http://sr1//", type: "Papa", name: "MyFirstInstance", from: "slappart2", params: { domain: "carzy.org" } });
    const p = (await full(master)).getComputerPartitionList().find((x) => x.getId() === idOf(first))!;
    expect(p.getSoftwareReleaseUrl()).toBe("http://sr1//");
  });

  test("C20: non-ASCII parameter is accepted, answered as references, stored as raw UTF-8", async () => {
    master = await testMaster();
    await format(master, 1);
    const answer = await rawPost(master, "/requestComputerPartition", [
      ["software_release", "http://sr//"],
      ["software_type", "default"],
      ["partition_reference", "myinstance"],
      ["shared_xml", dumps(false)],
      [
        "partition_parameter_xml",
        '<marshal><dictionary id="i2"><string>text</string><string>&#1055;&#1088;&#1080;&#1074;&#1077;&#1090; &#1052;&#1080;&#1088;!</string></dictionary></marshal>',
      ],
      ["filter_xml", dumps({})],
      ["state", dumps(null)],
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("<string>text</string><string>&#1055;&#1088;&#1080;&#1074;&#1077;&#1090; &#1052;&#1080;&#1088;!</string>");
    expect((loads(answer.body) as PyObject).state._parameter_dict).toMatchObject({ text: "Привет Мир!" });
    expect(rows(master, "SELECT xml FROM partition WHERE reference='slappart0'")[0].xml).toContain('<parameter id="text">Привет Мир!</parameter>');
  });

  test("C21: integer parameter is accepted and stringified", async () => {
    master = await testMaster();
    await format(master, 1);
    const answer = await req(master, { name: "myinstance", params: { int: 1 } });
    expect(params(answer).int).toBe("1");
  });

  test("C22: integer connection parameter comes back as a string", async () => {
    master = await testMaster();
    await format(master, 1);
    await req(master, { name: "myinstance" });
    const set = await rawPost(master, "/setComputerPartitionConnectionXml", [
      ["computer_id", "computer"],
      ["computer_partition_id", "slappart0"],
      ["connection_xml", '<marshal><dictionary id="i2"><string>foo</string><int>1</int></dictionary></marshal>'],
      ["slave_reference", "None"],
    ]);
    expect(set.body).toBe("done");
    const again = await req(master, { name: "myinstance" });
    expect(again.state._connection_dict).toEqual({ foo: "1" } as never);
  });

  test("C26: destruction is two-phase", async () => {
    master = await testMaster();
    await format(master, 1);
    await req(master, { name: "MyFirstInstance" });
    const destroyed = await req(master, { name: "MyFirstInstance", state: "destroyed" });
    expect(destroyed.state._requested_state).toBe("destroyed");
    expect(rows(master, "SELECT requested_state, slap_state, software_release, partition_reference FROM partition")[0]).toEqual({
      requested_state: "destroyed",
      slap_state: "busy",
      software_release: "http://sr//",
      partition_reference: "MyFirstInstance",
    });
    const answer = await rawPost(master, "/destroyedComputerPartition", [["computer_id", "computer"], ["computer_partition_id", "slappart0"]]);
    expect(answer.body).toBe("OK");
    expect(rows(master, "SELECT requested_state, slap_state, partition_reference FROM partition")[0]).toEqual({
      requested_state: "started",
      slap_state: "free",
      partition_reference: null,
    });
    expect(idOf(await req(master, { name: "Another instance" }))).toBe("slappart0");
  });

  test("C27: a root with children cannot be freed first", async () => {
    master = await testMaster();
    await format(master, 2);
    await req(master, { name: "MyFirstInstance" });
    await req(master, { name: "MySubInstance", from: "slappart0" });
    await req(master, { name: "MyFirstInstance", state: "destroyed" });
    const table = () => rows(master, "SELECT reference, slap_state, requested_by, requested_state FROM partition ORDER BY reference");
    expect(table()).toEqual([
      { reference: "slappart0", slap_state: "busy", requested_by: "", requested_state: "destroyed" },
      { reference: "slappart1", slap_state: "busy", requested_by: "MyFirstInstance", requested_state: "started" },
    ]);
    const destroy = (p: string) => rawPost(master, "/destroyedComputerPartition", [["computer_id", "computer"], ["computer_partition_id", p]]);
    expect((await destroy("slappart0")).body).toBe("Not destroying yet because this partition has child partitions: MySubInstance");
    expect(table()).toEqual([
      { reference: "slappart0", slap_state: "busy", requested_by: "", requested_state: "destroyed" },
      { reference: "slappart1", slap_state: "busy", requested_by: "MyFirstInstance", requested_state: "destroyed" },
    ]);
    await destroy("slappart0");
    await destroy("slappart1");
    await destroy("slappart0");
    expect(table()).toEqual([
      { reference: "slappart0", slap_state: "free", requested_by: "", requested_state: "started" },
      { reference: "slappart1", slap_state: "free", requested_by: "", requested_state: "started" },
    ]);
  });

  test("C55: the state answered can differ from the state stored", async () => {
    master = await testMaster();
    await format(master, 1);
    const stopped = await req(master, { name: "A", state: "stopped" });
    const again = await req(master, { name: "A", state: null });
    expect(again.state._requested_state).toBe("started");
    const p = await partition(master, "slappart0");
    expect(p.state._requested_state).toBe("stopped");
    expect(stampOf(again)).toBe(stampOf(stopped));
  });
});
