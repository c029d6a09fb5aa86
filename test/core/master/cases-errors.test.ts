/** slap-protocol-cases.md C45–C47, and the master's handling of bad input. */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import type { PyObject } from "../../../core/slap/marshal/values.ts";
import { format, full, params, rawGet, rawPost, req, reqRaw, requestFields, testMaster, type TestMaster } from "./helpers.ts";

let master: TestMaster;
beforeAll(async () => {
  master = await testMaster({ maxBodyBytes: 64 * 1024 });
  await format(master, 3);
});
afterAll(() => master.stop());

function dump(m: TestMaster): string {
  const db = new Database(m.databaseUri, { readonly: true });
  try {
    return JSON.stringify(db.query("SELECT * FROM partition ORDER BY rowid").all()) + JSON.stringify(db.query("SELECT * FROM slave").all());
  } finally {
    db.close();
  }
}

describe("C45–C47 and bad input", () => {
  test("C45: the client's \"None\" slave_reference means no slave", async () => {
    await req(master, { name: "C45" });
    const answer = await rawPost(master, "/setComputerPartitionConnectionXml", [
      ["computer_id", "computer"],
      ["computer_partition_id", "slappart0"],
      ["connection_xml", dumps({ a: "b" })],
      ["slave_reference", "None"],
    ]);
    expect(answer.body).toBe("done");
    expect((await req(master, { name: "C45" })).state._connection_dict).toEqual({ a: "b" } as never);
  });

  test("C46: unknown partition on destroy or rename answers 200 with a message", async () => {
    const destroy = await rawPost(master, "/destroyedComputerPartition", [["computer_id", "computer"], ["computer_partition_id", "slappart7"]]);
    expect([destroy.status, destroy.body]).toEqual([200, "Unknown partition 'slappart7' on 'computer'"]);
    const rename = await rawPost(master, "/softwareInstanceRename", [["computer_id", "computer"], ["computer_partition_id", "slappart7"], ["new_name", "x"]]);
    expect([rename.status, rename.body]).toEqual([200, "Unknown partition 'slappart7' on 'computer'"]);
  });

  test("C47: a missing software_type, state, software_release or partition_reference is 400 naming the field", async () => {
    for (const field of ["software_type", "state", "software_release", "partition_reference"]) {
      const fields = requestFields({ name: "C47" }).filter(([key]) => key !== field);
      const answer = await rawPost(master, "/requestComputerPartition", fields);
      expect(answer.status).toBe(400);
      expect(answer.body).toContain(`missing field &#39;${field}&#39;`);
    }
  });

  test("C47 [BUG] fixed: a request without partition_parameter_xml, filter_xml or shared_xml takes their defaults (the reference answers 500)", async () => {
    const fields = requestFields({ name: "C47-defaults" }).filter(([key]) => !["partition_parameter_xml", "filter_xml", "shared_xml"].includes(key));
    const answer = await rawPost(master, "/requestComputerPartition", fields);
    expect(answer.status).toBe(200);
    expect((loads(answer.body) as PyObject).className).toBe("SoftwareInstance");
  });

  test("a malformed marshal field is 400 with a one-line reason, and nothing is written", async () => {
    const before = dump(master);
    const fields = requestFields({ name: "broken" }).map(([k, v]) => [k, k === "partition_parameter_xml" ? "<marshal><dictionary" : v] as [string, string]);
    const answer = await rawPost(master, "/requestComputerPartition", fields);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/<p>field &#39;partition_parameter_xml&#39;: invalid marshal document: [^\n]+<\/p>/);
    expect(dump(master)).toBe(before);
  });

  test("a marshal document with an entity declaration is refused", async () => {
    const evil = '<?xml version="1.0"?><!DOCTYPE marshal [<!ENTITY x SYSTEM "file:///etc/passwd">]><marshal><dictionary id="i2"><string>a</string><string>&x;</string></dictionary></marshal>';
    const fields = requestFields({ name: "evil" }).map(([k, v]) => [k, k === "partition_parameter_xml" ? evil : v] as [string, string]);
    const answer = await rawPost(master, "/requestComputerPartition", fields);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("DOCTYPE");
  });

  test("a marshal object of a class outside slapos.slap.slap is refused", async () => {
    const object = '<marshal><object id="i2" module="os" class="system"><tuple/><dictionary id="i3"/></object></marshal>';
    const fields = requestFields({ name: "obj" }).map(([k, v]) => [k, k === "filter_xml" ? object : v] as [string, string]);
    expect((await rawPost(master, "/requestComputerPartition", fields)).status).toBe(400);
  });

  test("a state other than None, started, stopped or destroyed is 400", async () => {
    const fields = requestFields({ name: "badstate" }).map(([k, v]) => [k, k === "state" ? dumps("running") : v] as [string, string]);
    expect((await rawPost(master, "/requestComputerPartition", fields)).status).toBe(400);
  });

  test("supplying a state other than available or destroyed is 400 and writes nothing", async () => {
    const answer = await rawPost(master, "/supplySupply", [["url", "http://x"], ["computer_id", "computer"], ["state", "building"]]);
    expect(answer.status).toBe(400);
    expect((await full(master)).getSoftwareReleaseList()).toEqual([]);
  });

  test("a body over the size limit is 413", async () => {
    const answer = await rawPost(master, "/requestComputerPartition", [...requestFields({ name: "big" }), ["pad", "x".repeat(70 * 1024)]]);
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("<title>413 Request Entity Too Large</title>");
  });

  test("a name longer than the limit is 400", async () => {
    expect((await reqRaw(master, { name: "n".repeat(1025) })).status).toBe(400);
  });

  test("any Unicode name is stored and read back intact", async () => {
    const name = "é 😀 \u202e ' \" < & > \\ ∂ 名前";
    const parameters = { "clé": "😀", tab: "a\tb\nc\rd" };
    const answer = await req(master, { name, params: parameters });
    const again = await req(master, { name, params: parameters });
    expect(again.state.slap_computer_partition_id).toBe(answer.state.slap_computer_partition_id as string);
    const p = (await full(master)).getComputerPartitionList().find((x) => x.getId() === answer.state.slap_computer_partition_id)!;
    expect(params(p.raw).instance_title).toBe(name);
    expect(params(p.raw)["clé"]).toBe("😀");
    expect(params(p.raw).tab).toBe("a\tb\nc\rd");
  });

  test("a name holding a character XML cannot carry is refused, so storage is never poisoned", async () => {
    const answer = await reqRaw(master, { name: "bad\u0001name" });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("U+0001");
    const raw = requestFields({ name: "ctl" }).map(([k, v]) => [k, k === "partition_parameter_xml" ? "<marshal><dictionary id=\"i2\"><string>k</string><string>a\u0002b</string></dictionary></marshal>" : v] as [string, string]);
    expect((await rawPost(master, "/requestComputerPartition", raw)).status).toBe(400);
    expect((await rawGet(master, "/getFullComputerInformation", [["computer_id", "computer"]])).status).toBe(200);
  });

  test("a wrong method on a SLAP path is 405 with Allow, an unknown path 404", async () => {
    const wrong = await rawGet(master, "/requestComputerPartition");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("POST");
    expect((await rawGet(master, "/getFullComputerInformation/", [["computer_id", "computer"]])).status).toBe(404);
    expect((await rawGet(master, "/getHostingSubscriptionIpList")).status).toBe(404);
  });

  test("a malformed format document is 400 and leaves the computer as it was", async () => {
    const before = dump(master);
    const doc = dumps({ reference: "computer", address: "1", netmask: "2", partition_list: [{ reference: "slappart0", tap: null, address_list: [] }] });
    const answer = await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", doc]]);
    expect(answer.status).toBe(400);
    expect(dump(master)).toBe(before);
  });
});
