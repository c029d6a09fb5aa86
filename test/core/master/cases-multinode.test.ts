/** slap-protocol-cases.md C35–C42: several computers on one master. */
import { afterEach, describe, expect, test } from "bun:test";
import type { PyObject } from "../../../core/slap/marshal/values.ts";
import { format, full, params, partition, rawPost, req, reqRaw, testMaster, type TestMaster } from "./helpers.ts";

let master: TestMaster;
afterEach(() => master?.stop());

const supply = (m: TestMaster, url: string, computer: string, state = "available") =>
  rawPost(m, "/supplySupply", [["url", url], ["computer_id", computer], ["state", state]]);
const where = (o: PyObject) => `${o.state.slap_computer_id}/${o.state.slap_computer_partition_id}`;

describe("several computers (C35–C42)", () => {
  test("C35: software lists are per computer and kept in supply order", async () => {
    master = await testMaster();
    await format(master, 6, "COMP-0");
    await format(master, 6, "COMP-1");
    await supply(master, "http://sr1", "COMP-0");
    await supply(master, "http://sr2", "COMP-1");
    await supply(master, "http://sr3", "COMP-0");
    await supply(master, "http://sr3", "COMP-1");
    expect((await full(master, "computer")).getSoftwareReleaseList()).toEqual([]);
    for (const [computer, urls] of [["COMP-0", ["http://sr1", "http://sr3"]], ["COMP-1", ["http://sr2", "http://sr3"]]] as const) {
      const list = (await full(master, computer)).getSoftwareReleaseList();
      expect(list.map((s) => s.getURI())).toEqual([...urls]);
      expect(list.map((s) => s.raw.state._computer_guid)).toEqual([computer, computer]);
    }
  });

  test("C36: destroying software on one computer only", async () => {
    master = await testMaster();
    await format(master, 1, "COMP-0");
    await format(master, 1, "COMP-1");
    await supply(master, "http://sr", "COMP-0");
    await supply(master, "http://sr", "COMP-1");
    await supply(master, "http://sr", "COMP-0", "destroyed");
    expect((await full(master, "COMP-0")).getSoftwareReleaseList()[0].getState()).toBe("destroyed");
    expect((await full(master, "COMP-1")).getSoftwareReleaseList()[0].getState()).toBe("available");
  });

  test("C37: requests without an SLA go to the default computer only", async () => {
    master = await testMaster();
    await format(master, 6, "COMP-0");
    await format(master, 6, "COMP-1");
    expect((await reqRaw(master, { name: "MyFirstInstance", from: "slappart2" })).status).toBe(404);
    expect((await reqRaw(master, { name: "MyFirstInstance", from: "slappart2", filter: { computer_guid: "computer" } })).status).toBe(404);
    await format(master, 1);
    expect(where(await req(master, { name: "MyFirstInstance", from: "slappart2" }))).toBe("computer/slappart0");
    expect((await full(master)).getSoftwareReleaseList()).toEqual([]);
    expect((await reqRaw(master, { name: "CanIHasPartition", filter: { computer_guid: "computer" } })).status).toBe(404);
  });

  test("C38: SLA chooses the computer", async () => {
    master = await testMaster();
    await format(master, 2, "COMP-1");
    expect((await reqRaw(master, { name: "MyFirstInstance", from: "slappart2", filter: { computer_guid: "COMP-0" } })).status).toBe(404);
    await format(master, 2, "COMP-0");
    const first = await req(master, { name: "MyFirstInstance", from: "slappart2", filter: { computer_guid: "COMP-0" } });
    expect([first.state._requested_state, where(first)]).toEqual(["started", "COMP-0/slappart0"]);
    const second = await req(master, { sr: "http://othersr//", name: "MySecondInstance", from: "slappart0", filter: { computer_guid: "COMP-1" } });
    expect(where(second)).toBe("COMP-1/slappart0");
    const used: string[] = [];
    for (const computer of ["COMP-0", "COMP-1"]) {
      for (const p of (await full(master, computer)).getComputerPartitionList()) if (p.getSoftwareReleaseUrl()) used.push(`${computer}/${p.getId()}`);
    }
    expect(used).toEqual(["COMP-0/slappart0", "COMP-1/slappart0"]);
  });

  test("C39: an allocated instance never moves", async () => {
    master = await testMaster();
    await format(master, 2, "COMP-0");
    await format(master, 2, "COMP-1");
    await req(master, { name: "MyFirstInstance", filter: { computer_guid: "COMP-0" } });
    const again = await req(master, { name: "MyFirstInstance", filter: { computer_guid: "COMP-1" } });
    expect(again.state.slap_computer_id).toBe("COMP-0");
    expect((await full(master, "COMP-1")).getComputerPartitionList().every((p) => !p.getSoftwareReleaseUrl())).toBe(true);
  });

  test("C40: shared instances follow the SLA computer", async () => {
    master = await testMaster();
    for (const computer of ["COMP-0", "COMP-1", "computer"]) await format(master, 2, computer);
    await req(master, { sr: "http://sr2//", name: "MyFirstInstance", filter: { computer_guid: "COMP-0" } });
    await req(master, { sr: "http://sr//", name: "MySecondInstance", filter: { computer_guid: "COMP-1" } });
    expect((await reqRaw(master, { name: "Shared", shared: true })).status).toBe(404);
    expect((await reqRaw(master, { name: "Shared", shared: true, filter: { computer_guid: "COMP-0" } })).status).toBe(404);
    const ok = await req(master, { name: "Shared", shared: true, filter: { computer_guid: "COMP-1" } });
    expect(ok.state.slap_computer_id).toBe("COMP-1");
  });

  test("C41: instance guid format on several computers", async () => {
    master = await testMaster();
    for (const computer of ["COMP-0", "COMP-1", "computer"]) await format(master, 1, computer);
    const guids: string[] = [];
    for (const computer of ["COMP-0", "COMP-1", "computer"]) {
      const answer = await req(master, { name: `I-${computer}`, filter: { computer_guid: computer } });
      guids.push(answer.state._instance_guid as string);
    }
    expect(guids).toEqual(["COMP-0-slappart0", "COMP-1-slappart0", "computer-slappart0"]);
  });

  test("C42: two trees with the same child names, then renames", async () => {
    master = await testMaster();
    await format(master, 4, "COMP-0");
    await format(master, 4, "COMP-1");
    const root1 = await req(master, { sr: "sr1", name: "MyFirstInstance", filter: { computer_guid: "COMP-0" } });
    const r1 = { from: root1.state.slap_computer_partition_id as string, fromComputer: "COMP-0" };
    const foo1 = await req(master, { sr: "sr1", name: "foo", ...r1, filter: { computer_guid: "COMP-0" } });
    const bar1 = await req(master, { sr: "sr1", name: "bar", ...r1, filter: { computer_guid: "COMP-1" } });
    const root2 = await req(master, { sr: "sr2", name: "MySecondInstance", filter: { computer_guid: "COMP-1" } });
    const r2 = { from: root2.state.slap_computer_partition_id as string, fromComputer: "COMP-1" };
    await req(master, { sr: "sr2", name: "foo", ...r2, filter: { computer_guid: "COMP-0" } });
    await req(master, { sr: "sr2", name: "bar", ...r2, filter: { computer_guid: "COMP-1" } });

    const table = async (first: string, second: string) => {
      const out: Record<string, unknown> = {};
      for (const computer of ["COMP-0", "COMP-1"]) {
        for (let i = 0; i < 4; i++) {
          const p = await partition(master, `slappart${i}`, computer);
          const d = p.state._parameter_dict ? params(p) : undefined;
          out[`${computer}/slappart${i}`] = d ? [d.root_instance_title, d.instance_title, d.slap_software_release_url] : "free";
        }
      }
      return out;
    };
    const expected = (first: string, second: string, names: [string, string, string, string]) => ({
      "COMP-0/slappart0": [first, first, "sr1"],
      "COMP-0/slappart1": [first, names[0], "sr1"],
      "COMP-0/slappart2": [second, names[2], "sr2"],
      "COMP-0/slappart3": "free",
      "COMP-1/slappart0": [first, names[1], "sr1"],
      "COMP-1/slappart1": [second, second, "sr2"],
      "COMP-1/slappart2": [second, names[3], "sr2"],
      "COMP-1/slappart3": "free",
    });
    expect(await table("MyFirstInstance", "MySecondInstance")).toEqual(expected("MyFirstInstance", "MySecondInstance", ["foo", "bar", "foo", "bar"]));

    const rename = async (o: PyObject, computer: string, name: string) =>
      (await rawPost(master, "/softwareInstanceRename", [["computer_id", computer], ["computer_partition_id", o.state.slap_computer_partition_id as string], ["new_name", name]])).body;
    expect(await rename(foo1, "COMP-0", "tmp")).toBe("done");
    expect(await rename(bar1, "COMP-1", "foo")).toBe("done");
    expect(await rename(foo1, "COMP-0", "bar")).toBe("done");
    expect(await rename(root2, "COMP-1", "MyOtherInstance")).toBe("done");
    expect(await table("MyFirstInstance", "MyOtherInstance")).toEqual(expected("MyFirstInstance", "MyOtherInstance", ["bar", "foo", "foo", "bar"]));
  });
});
