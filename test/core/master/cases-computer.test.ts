/** slap-protocol-cases.md C01–C10, C43, C44, C54: computers, software, formats. */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import { PyObject } from "../../../core/slap/marshal/values.ts";
import { format, formatDocument, full, rawGet, rawPost, req, testMaster, type TestMaster } from "./helpers.ts";

const EMPTY_COMPUTER =
  '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple><string>computer</string></tuple><dictionary id="i3"><string>_computer_id</string><string>computer</string><string>_computer_partition_list</string><list id="i4"/><string>_software_release_list</string><list id="i5"/></dictionary></object></marshal>';

let master: TestMaster;
afterEach(() => master?.stop());

describe("computers and software (C01–C10, C43, C44, C54)", () => {
  test("C01: computer information for the configured computer before any format", async () => {
    master = await testMaster();
    const info = await rawGet(master, "/getComputerInformation", [["computer_id", "computer"]]);
    expect(info.status).toBe(200);
    expect(info.body).toBe(EMPTY_COMPUTER);
    expect(existsSync(master.databaseUri)).toBe(true);
    const fullInfo = await rawGet(master, "/getFullComputerInformation", [["computer_id", "computer"]]);
    expect(fullInfo.body).toBe(EMPTY_COMPUTER);
  });

  test("C02: unknown computer is refused with 500, and known once formatted", async () => {
    master = await testMaster();
    const before = await rawGet(master, "/getComputerInformation", [["computer_id", "computer42"]]);
    expect(before.status).toBe(500);
    await format(master, 1, "computer42");
    const after = await rawGet(master, "/getComputerInformation", [["computer_id", "computer42"]]);
    expect(after.status).toBe(200);
    expect((loads(after.body) as PyObject).args[0]).toBe("computer42");
  });

  test("C03: free partitions look destroyed", async () => {
    master = await testMaster();
    await format(master, 10);
    const partitions = (await full(master)).getComputerPartitionList();
    expect(partitions.map((p) => p.getId())).toEqual(Array.from({ length: 10 }, (_, i) => `slappart${i}`));
    for (const p of partitions) {
      const s = p.raw.state;
      expect(s._software_release_document).toBeNull();
      expect(s._requested_state).toBe("destroyed");
      expect(s._need_modification).toBe(0);
      expect(s._instance_guid).toBe(`computer-${p.getId()}`);
      expect("_parameter_dict" in s).toBe(false);
      expect("_connection_dict" in s).toBe(false);
    }
    expect(dumps(partitions[0].raw)).toContain("<string>_need_modification</string><int>0</int>");
  });

  test("C04: software product lookup", async () => {
    master = await testMaster({ softwareProductList: { my_product: "my_url" } });
    const answer = await rawGet(master, "/getSoftwareReleaseListFromSoftwareProduct", [["software_product_reference", "my_product"]]);
    expect(answer.body).toBe('<marshal><list id="i2"><string>my_url</string></list></marshal>');
  });

  test("C05: unknown software product", async () => {
    master = await testMaster({ softwareProductList: { random: "random" } });
    const answer = await rawGet(master, "/getSoftwareReleaseListFromSoftwareProduct", [["software_product_reference", "idonotexist"]]);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('<marshal><list id="i2"/></marshal>');
  });

  test("C06: product lookup with both or neither argument is refused, never a list (400 here, 500 in the reference)", async () => {
    master = await testMaster();
    const both = await rawGet(master, "/getSoftwareReleaseListFromSoftwareProduct", [
      ["software_product_reference", "foo"],
      ["software_release_url", "bar"],
    ]);
    const neither = await rawGet(master, "/getSoftwareReleaseListFromSoftwareProduct");
    for (const answer of [both, neither]) {
      expect(answer.status).toBe(400);
      expect(answer.body).not.toContain("<marshal>");
    }
  });

  test("C07: partition certificate stub", async () => {
    master = await testMaster();
    const answer = await rawGet(master, "/getComputerPartitionCertificate", [["computer_id", "computer"], ["computer_partition_id", "slappart0"]]);
    expect(answer.body).toBe(
      '<marshal><dictionary id="i2"><string>certificate</string><string></string><string>key</string><string></string></dictionary></marshal>',
    );
  });

  test("C08: computer bang stub", async () => {
    master = await testMaster();
    const answer = await rawPost(master, "/computerBang?computer_id=computer", []);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("<marshal><string></string></marshal>");
    expect(loads(answer.body)).toBe("");
  });

  test("C09: supply, then progress reports do not change the state", async () => {
    master = await testMaster();
    const supplied = await rawPost(master, "/supplySupply", [["url", "U"], ["computer_id", "computer"], ["state", "available"]]);
    expect(supplied.body).toBe("Supplied 'U' to be available");
    const list = (await full(master)).getSoftwareReleaseList();
    expect(list.map((s) => [s.getURI(), s.getComputerId(), s.getState()])).toEqual([["U", "computer", "available"]]);
    for (const path of ["/buildingSoftwareRelease", "/availableSoftwareRelease", "/softwareReleaseError"]) {
      const answer = await rawPost(master, path, [["url", "U"], ["computer_id", "computer"]]);
      expect([answer.status, answer.body]).toEqual([200, "Ignored"]);
      expect((await full(master)).getSoftwareReleaseList()[0].getState()).toBe("available");
    }
  });

  test("C10: destroying a software release", async () => {
    master = await testMaster();
    await rawPost(master, "/supplySupply", [["url", "U"], ["computer_id", "computer"], ["state", "available"]]);
    await rawPost(master, "/supplySupply", [["url", "U"], ["computer_id", "computer"], ["state", "destroyed"]]);
    expect((await full(master)).getSoftwareReleaseList().map((s) => s.getState())).toEqual(["destroyed"]);
    const answer = await rawPost(master, "/destroyedSoftwareRelease", [["url", "U"], ["computer_id", "computer"]]);
    expect(answer.body).toBe("OK");
    expect((await full(master)).getSoftwareReleaseList()).toEqual([]);
  });

  test("C43: reformat keeps listed partitions and drops unlisted ones", async () => {
    master = await testMaster();
    const doc = dumps(formatDocument(["slappart1", "slappart2"]));
    await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", doc]]);
    await req(master, { sr: "https://example.com/software.cfg", name: "MyInstance" });
    await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", doc]]);
    const kept = (await full(master)).getComputerPartitionList().find((p) => p.getId() === "slappart1")!;
    expect(kept.getSoftwareReleaseUrl()).toBe("https://example.com/software.cfg");
    await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument(["something else"]))]]);
    expect((await full(master)).getComputerPartitionList().map((p) => p.getId())).toEqual(["something else"]);
  });

  test("C44: registerComputerPartition for an unknown partition is 500, for a free one the free object", async () => {
    master = await testMaster();
    const unknown = await rawGet(master, "/registerComputerPartition", [["computer_reference", "computer"], ["computer_partition_reference", "slappart9"]]);
    expect(unknown.status).toBe(500);
    await format(master, 1);
    const free = await rawGet(master, "/registerComputerPartition", [["computer_reference", "computer"], ["computer_partition_reference", "slappart0"]]);
    expect(free.status).toBe(200);
    const partition = (await full(master)).getComputerPartitionList()[0];
    expect(free.body).toBe(dumps(partition.raw));
    expect((loads(free.body) as PyObject).state._requested_state).toBe("destroyed");
  });

  test("C54: allocation and listing follow rowid order; a re-supply moves to the end", async () => {
    master = await testMaster();
    const order = ["slappart3", "slappart11", "slappart0", "slappart10"];
    await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument(order))]]);
    const allocated: string[] = [];
    for (const name of ["A", "B", "C", "D"]) allocated.push((await req(master, { name })).state.slap_computer_partition_id as string);
    expect(allocated).toEqual(order);
    expect((await full(master)).getComputerPartitionList().map((p) => p.getId())).toEqual(order);
    for (const url of ["http://a", "http://b", "http://c"]) await rawPost(master, "/supplySupply", [["url", url], ["computer_id", "computer"], ["state", "available"]]);
    await rawPost(master, "/supplySupply", [["url", "http://a"], ["computer_id", "computer"], ["state", "destroyed"]]);
    expect((await full(master)).getSoftwareReleaseList().map((s) => `${s.getURI()}:${s.getState()}`)).toEqual([
      "http://b:available",
      "http://c:available",
      "http://a:destroyed",
    ]);
  });
});
