/** slap-protocol-cases.md C23–C25, C28–C34: frontend bypass and shared instances. */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { dumps } from "../../../core/slap/marshal/index.ts";
import type { PyDict, PyObject } from "../../../core/slap/marshal/values.ts";
import { format, params, partition, rawPost, req, reqRaw, testMaster, type TestMaster } from "./helpers.ts";

const APACHE = "http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg";
const KVM = "http://git.erp5.org/gitweb/slapos.git/blob_plain/refs/tags/slapos-0.92:/software/kvm/software.cfg";
const URL_PARAM = "https://[::1]:123/my/path?my=query&string=value#myanchor";

let master: TestMaster;
afterEach(() => master?.stop());

const slaves = async (m: TestMaster, id = "slappart0") => params(await partition(m, id)).slave_instance_list as PyDict[];
const stamp = async (m: TestMaster, id = "slappart0") => Number(params(await partition(m, id)).timestamp);

function count(m: TestMaster, sql: string): number {
  const db = new Database(m.databaseUri, { readonly: true });
  try {
    return (db.query(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("frontend bypass and shared instances (C23–C25, C28–C34)", () => {
  test("C23: apache frontend bypass over http writes nothing", async () => {
    master = await testMaster();
    const answer = await req(master, { sr: APACHE, type: null, name: "frontend", from: "slappart0", shared: true, params: { url: URL_PARAM } });
    expect(answer.className).toBe("ComputerPartition");
    expect(answer.state._connection_dict).toEqual({ secure_access: URL_PARAM, domain: "[::1]:123" } as never);
    expect(answer.state._partition_id).toBe(`Fake frontend for ${URL_PARAM}`);
    expect(answer.state._computer_id).toBe("");
    expect(count(master, "SELECT (SELECT COUNT(*) FROM partition) + (SELECT COUNT(*) FROM slave) + (SELECT COUNT(*) FROM computer) AS n")).toBe(0);
  });

  test("C24: apache frontend bypass when the master is reached over https", async () => {
    master = await testMaster();
    const answer = await req(
      master,
      { sr: APACHE, type: null, name: "frontend", from: "slappart0", shared: true, params: { url: URL_PARAM } },
      { "X-Forwarded-Proto": "https", Host: "localhost" },
    );
    const connection = answer.state._connection_dict as PyDict;
    expect(connection.secure_access).toBe("https://localhost/http_proxy/https/%5B::1%5D:123/my/path?my=query&string=value#myanchor");
    expect(connection.domain).toBe("localhost");
  });

  test("C25: KVM VNC frontend bypass", async () => {
    master = await testMaster();
    const answer = await req(master, { sr: KVM, type: "frontend", name: "vnc", from: "slappart0", shared: true, params: { host: "::1", port: "123" } });
    expect(answer.state._connection_dict).toEqual({ url: "https://[::1]:123/", domainname: "[::1]", port: "123", path: "/" } as never);
  });

  test("C28: shared request without a host is 404", async () => {
    master = await testMaster();
    await format(master, 2);
    const answer = await reqRaw(master, { name: "MyFirstInstance", from: "slappart2", shared: true });
    expect(answer.status).toBe(404);
    expect(answer.body).toContain("<p>No partition corresponding to slave request: [&#39;http://sr//&#39;, &#39;computer&#39;, &#39;default&#39;]</p>");
  });

  test("C29: shared parameters reach the host's slave list", async () => {
    master = await testMaster();
    await format(master, 6);
    await req(master, { name: "MyFirstInstance", from: "slappart4" });
    await req(master, { name: "MyFirstInstance", from: "slappart2", shared: true, params: { domain: "fou.org" } });
    const [entry] = await slaves(master);
    expect(entry.domain).toBe("fou.org");
    expect([entry.slave_reference, entry.slave_title, entry.slap_software_type]).toEqual(["_MyFirstInstance", "_MyFirstInstance", "default"]);
  });

  test("C30: host without shared instances has an empty list", async () => {
    master = await testMaster();
    await format(master, 6);
    await req(master, { name: "MyMasterInstance" });
    expect(await slaves(master)).toEqual([]);
  });

  test("C31: shared changes bump the host timestamp, no-ops do not", async () => {
    master = await testMaster();
    await format(master, 1);
    await req(master, { name: "MyMasterInstance" });
    const t0 = await stamp(master);
    await req(master, { name: "MyFirstSlave", shared: true });
    const t1 = await stamp(master);
    expect([(await slaves(master)).length, t1 > t0]).toEqual([1, true]);
    await req(master, { name: "MySecondSlave", shared: true });
    const t2 = await stamp(master);
    expect([(await slaves(master)).length, t2 > t1]).toEqual([2, true]);
    await req(master, { name: "MySecondSlave", shared: true, params: { a: "b" } });
    const t3 = await stamp(master);
    expect([(await slaves(master)).length, t3 > t2]).toEqual([2, true]);
    await req(master, { name: "MySecondSlave", shared: true, params: { a: "b" } });
    expect([(await slaves(master)).length, await stamp(master)]).toEqual([2, t3]);
  });

  test("C32: destroying a shared instance", async () => {
    master = await testMaster();
    await format(master, 1);
    await req(master, { name: "MyMasterInstance" });
    await req(master, { name: "MyFirstSlave", shared: true });
    await req(master, { name: "MySecondSlave", shared: true });
    const before = await stamp(master);
    await req(master, { name: "MyFirstSlave", shared: true, state: "destroyed" });
    const list = await slaves(master);
    expect(list.map((s) => s.slave_reference)).toEqual(["_MySecondSlave"]);
    expect(await stamp(master)).toBeGreaterThan(before);
  });

  test("C33: host publishes connection parameters for a shared instance", async () => {
    master = await testMaster();
    await format(master, 6);
    await req(master, { name: "MyMasterInstance" });
    const first = await req(master, { name: "MyFirstInstance", from: "slappart2", shared: true });
    expect(first.state._connection_dict).toEqual({} as never);
    const set = await rawPost(master, "/setComputerPartitionConnectionXml", [
      ["computer_id", "computer"],
      ["computer_partition_id", "slappart0"],
      ["slave_reference", "_MyFirstInstance"],
      ["connection_xml", dumps({ url: "%s.master.com" })],
    ]);
    expect(set.body).toBe("done");
    const again = await req(master, { name: "MyFirstInstance", from: "slappart2", shared: true });
    expect(again.state._connection_dict).toEqual({ url: "%s.master.com" } as never);
  });

  test("C34: instance_guid pins the host of a shared instance", async () => {
    master = await testMaster();
    await format(master, 1);
    const host = await req(master, { name: "MyInstance" });
    expect(host.state._instance_guid).toBe("computer-slappart0");
    const shared: PyObject = await req(master, { name: "MySlaveInstance", from: "slappart1", shared: true, filter: { instance_guid: "computer-slappart0" } });
    expect(shared.state.slap_computer_partition_id).toBe("slappart0");
  });
});
