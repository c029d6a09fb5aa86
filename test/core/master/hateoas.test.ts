/** The hateoas routes `slapos service list|info` and `slapos computer list|info` use (slap-protocol.md §3.3). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { format, rawGet, req, testMaster, type TestMaster } from "./helpers.ts";

let master: TestMaster;
beforeAll(async () => {
  master = await testMaster();
  await format(master, 2);
  await req(master, { name: "Host" });
  await req(master, { name: "MyShared", shared: true, params: { n: 1 } });
});
afterAll(() => master.stop());

const search = async (query: string) => JSON.parse((await rawGet(master, "/hateoas/", [["mode", "search"], ["query", query]])).body);

describe("hateoas", () => {
  test("service list holds root partitions, then root shared instances", async () => {
    const answer = await search('portal_type:"Instance Tree" AND validation_state:validated');
    expect(answer._embedded.contents.map((c: { title: string; relative_url: string }) => [c.title, c.relative_url])).toEqual([
      ["Host", "/hateoas/partitions/Host"],
      ["MyShared", "/hateoas/shared/MyShared"],
    ]);
  });

  test("a shared instance's document shows its parameters as XML and state unused", async () => {
    const document = JSON.parse((await rawGet(master, "/hateoas/shared/MyShared")).body);
    expect(document._embedded._view.my_slap_state.default).toBe("unused");
    expect(document._embedded._view.my_root_slave).toEqual({ default: 1, key: "field_my_root_slave", type: "IntegerField" });
    expect(document._embedded._view.my_text_content.default).toContain('<parameter id="n">1</parameter>');
  });

  test("computer list and info", async () => {
    const list = await search('portal_type:"Compute Node" AND validation_state:validated');
    expect(list._embedded.contents).toEqual([
      { address: "12.34.56.78", netmask: "255.255.255.255", reference: "computer", relative_url: "/hateoas/computers/computer", title: "computer" },
    ]);
    const info = await search('portal_type:"Compute Node" AND validation_state:validated AND reference:="computer"');
    expect(info._embedded.contents).toHaveLength(1);
    const document = JSON.parse((await rawGet(master, "/hateoas/computers/computer")).body);
    expect(document._links.type.name).toBe("Computer");
  });

  test("an unhandled query or mode is 400, an unknown name 404", async () => {
    const query = await rawGet(master, "/hateoas/", [["mode", "search"], ["query", "title:=x"]]);
    expect([query.status, query.body.includes("Unhandled query: title:=x")]).toEqual([400, true]);
    expect((await rawGet(master, "/hateoas/", [["mode", "nope"]])).status).toBe(400);
    expect((await rawGet(master, "/hateoas/partitions/Nobody")).status).toBe(404);
  });
});
