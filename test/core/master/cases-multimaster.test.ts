/** slap-protocol-cases.md C48–C52: forwarding to another master (two of ours, on loopback). */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { ComputerPartition } from "../../../core/slap/objects.ts";
import { format, params, partition, rawGet, req, reqRaw, testMaster, type TestMaster } from "./helpers.ts";

const EXTERNAL_SR = "http://slapos.example/external_software_release.cfg";
let masters: TestMaster[] = [];
afterEach(async () => {
  for (const m of masters) await m.stop();
  masters = [];
});

async function pair(section: { computer?: string; partition?: string } = {}) {
  const external = await testMaster({ computerId: "external_computer" });
  await format(external, 4, "external_computer");
  const local = await testMaster({
    computerId: "computer",
    multimaster: [{ url: external.url, softwareReleaseList: [EXTERNAL_SR], ...section }],
  });
  masters.push(external, local);
  return { external, local };
}

function table(m: TestMaster, sql: string): unknown[] {
  const db = new Database(m.databaseUri, { readonly: true });
  try {
    return db.query(sql).values();
  } finally {
    db.close();
  }
}

describe("multimaster forwarding (C48–C52)", () => {
  test("C48: a request for a listed SR is forwarded, once recorded, nothing allocated locally", async () => {
    const { external, local } = await pair();
    await format(local, 1);
    for (let i = 0; i < 2; i++) {
      const answer = await req(local, { sr: EXTERNAL_SR, name: "MyFirstInstance", from: "slappart0", params: { foo: "bar" } });
      expect(answer.className).toBe("ComputerPartition");
      expect(answer.state._master_url).toBe(external.url);
      expect(Object.keys(params(answer)).sort()).toEqual(["foo", "timestamp"]);
      expect(params(answer).foo).toBe("bar");
      expect(new ComputerPartition(answer).getSoftwareReleaseUrl()).toBe(EXTERNAL_SR);
      expect(answer.state._software_release_document).toBe(EXTERNAL_SR);
      expect(answer.state._connection_dict).toEqual({} as never);
    }
    expect(table(local, "SELECT partition_reference, master_url FROM forwarded_partition_request")).toEqual([["slappart0_MyFirstInstance", external.url]]);
    expect((await partition(local, "slappart0")).state._software_release_document).toBeNull();
    const remote = await partition(external, "slappart0", "external_computer");
    expect(params(remote).foo).toBe("bar");
    expect(params(remote).slap_software_release_url).toBe(EXTERNAL_SR);
    expect(params(remote).instance_title).toBe("slappart0_MyFirstInstance");
  });

  test("C49: an unlisted master_url is 404 and nothing is allocated", async () => {
    const { external, local } = await pair();
    await format(local, 1);
    const answer = await reqRaw(local, { name: "X", filter: { master_url: `${external.url}bad` } });
    expect(answer.status).toBe(404);
    expect(answer.body).toContain(`External SlapOS Master URL ${external.url}bad is not listed in multimaster list.`);
    expect((await partition(local, "slappart0")).state._software_release_document).toBeNull();
  });

  test("C50: master_url pointing at this master allocates locally", async () => {
    const { local } = await pair();
    await format(local, 1);
    expect((await rawGet(local, "/getRunId")).body).toBe(local.runId);
    const answer = await req(local, { name: "Here", filter: { master_url: `${local.url}/` } });
    expect(answer.state.slap_computer_partition_id).toBe("slappart0");
    expect(table(local, "SELECT * FROM forwarded_partition_request")).toEqual([]);
  });

  test("C51: destroying a forwarded instance", async () => {
    const { external, local } = await pair();
    await req(local, { sr: EXTERNAL_SR, name: "MyFirstInstance", from: "slappart0", params: { foo: "bar" } });
    await req(local, { sr: EXTERNAL_SR, name: "MyFirstInstance", from: "slappart0", params: { foo: "bar" }, state: "destroyed" });
    expect((await partition(external, "slappart0", "external_computer")).state._requested_state).toBe("destroyed");
    expect(table(local, "SELECT * FROM forwarded_partition_request")).toEqual([]);
  });

  test("C52: anti-collision prefixes give distinct remote instances in the partition's tree", async () => {
    const { external, local } = await pair({ computer: "external_computer", partition: "slappart0" });
    await req(external, { sr: "http://other//", name: "instance", filter: { computer_guid: "external_computer" } });
    const from: Array<string | undefined> = ["slappart0", "slappart1", undefined];
    for (const [i, requester] of from.entries()) {
      await req(local, { sr: EXTERNAL_SR, name: "Eponymous Instance", from: requester, params: { foo: String(i) } });
    }
    const rows = table(external, "SELECT reference, partition_reference, xml, requested_by FROM partition ORDER BY rowid") as string[][];
    const xml = (foo?: string) =>
      foo === undefined
        ? "<?xml version='1.0' encoding='utf-8'?>\n<instance/>\n"
        : `<?xml version='1.0' encoding='utf-8'?>\n<instance>\n  <parameter id="foo">${foo}</parameter>\n</instance>\n`;
    expect(rows).toEqual([
      ["slappart0", "instance", xml(), ""],
      ["slappart1", "slappart0_Eponymous Instance", xml("0"), "instance"],
      ["slappart2", "slappart1_Eponymous Instance", xml("1"), "instance"],
      ["slappart3", "user_Eponymous Instance", xml("2"), "instance"],
    ]);
  });
});
