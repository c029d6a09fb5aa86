/** slap-protocol-cases.md C56 and the JSON-RPC API's error shapes (slap-protocol.md §3.3). */
import { afterEach, describe, expect, test } from "bun:test";
import { format, req, testMaster, type TestMaster } from "./helpers.ts";

let master: TestMaster;
afterEach(() => master?.stop());

async function rpc(m: TestMaster, method: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${m.url}/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

describe("JSON-RPC (C56)", () => {
  test("C56: allocation and guid, in the reference's key order and separators", async () => {
    master = await testMaster();
    await format(master, 1);
    const answer = await rpc(master, "slapos.post.v0.software_instance", {
      title: "MyFirstInstance",
      software_release_uri: "http://sr//",
      software_type: "foobar",
      parameters: { bar: "foo" },
    });
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("application/json");
    const document = JSON.parse(answer.text);
    expect(Object.keys(document)).toEqual([
      "title", "instance_guid", "software_release_uri", "software_type", "state", "connection_parameters", "parameters", "shared",
      "root_instance_title", "ip_list", "full_ip_list", "sla_parameters", "computer_guid", "compute_partition_id", "processing_timestamp",
      "access_status_message",
    ]);
    expect(document).toMatchObject({
      instance_guid: "MyFirstInstance______0",
      state: "started",
      parameters: { bar: "foo" },
      connection_parameters: {},
      shared: false,
      root_instance_title: "MyFirstInstance",
      ip_list: [["tap0", "1.2.3.4"], ["tap0", "4.3.2.1"]],
      full_ip_list: [],
      sla_parameters: {},
      computer_guid: "computer",
      compute_partition_id: "slappart0",
      access_status_message: "",
    });
    expect(Number.isInteger(document.processing_timestamp)).toBe(true);
    expect(answer.text).toStartWith('{"title": "MyFirstInstance", "instance_guid": "MyFirstInstance______0", ');
  });

  test("C56: without a format the same call is 403 with a JSON error", async () => {
    master = await testMaster();
    const answer = await rpc(master, "slapos.post.v0.software_instance", { title: "foo", software_release_uri: "http://sr//", software_type: "foobar" });
    expect(answer.status).toBe(403);
    expect(answer.text).toBe('{"status": 403, "type": "Forbidden", "title": "No free computer partition found for: foo"}');
  });

  test("an invalid body is 400 with the first validation message", async () => {
    master = await testMaster();
    const missing = await rpc(master, "slapos.post.v0.software_instance", { software_release_uri: "x", software_type: "y" });
    expect(missing.text).toBe('{"status": 400, "type": "Bad Request", "title": "\'title\' is a required property"}');
    const extra = await rpc(master, "slapos.get.v0.hateoas_url", { nope: 1 });
    expect(JSON.parse(extra.text).title).toBe("Additional properties are not allowed ('nope' was unexpected)");
  });

  test("GET on a JSON-RPC path is a 405 HTML page; an Accept without JSON is 406", async () => {
    master = await testMaster();
    const get = await fetch(`${master.url}/slapos.get.v0.hateoas_url`);
    expect(get.status).toBe(405);
    expect(await get.text()).toContain("<title>405 Method Not Allowed</title>");
    expect((await rpc(master, "slapos.get.v0.hateoas_url", {}, { Accept: "text/html" })).status).toBe(406);
  });

  test("hateoas_url follows X-Forwarded-Proto", async () => {
    master = await testMaster();
    const answer = await rpc(master, "slapos.get.v0.hateoas_url", {}, { "X-Forwarded-Proto": "https" });
    expect(JSON.parse(answer.text).hateoas_url).toBe(`https://127.0.0.1:${master.port}/hateoas/`);
  });

  test("a shared instance is refused bang with 403 NotImplemented; get shows its typed parameters", async () => {
    master = await testMaster();
    await format(master, 1);
    await req(master, { name: "Host" });
    await rpc(master, "slapos.post.v0.software_instance", {
      title: "MyShared", software_release_uri: "http://sr//", software_type: "default", shared: true, parameters: { x: 1 },
    });
    const bang = await rpc(master, "slapos.put.v0.software_instance_bang", { instance_guid: "MyShared______1", message: "m" });
    expect([bang.status, JSON.parse(bang.text).title]).toEqual([403, "NotImplemented"]);
    const get = JSON.parse((await rpc(master, "slapos.get.v0.software_instance", { instance_guid: "MyShared______1" })).text);
    expect(get.parameters).toEqual({ x: 1 });
    expect(get.shared).toBe(true);
    const list = JSON.parse((await rpc(master, "slapos.allDocs.v0.instance_tree_list", {})).text);
    expect(list.result_list).toEqual([{ title: "Host" }, { title: "MyShared" }]);
  });

  test("compute_node_format without ip_list does not fail half-way ([BUG] fixed)", async () => {
    master = await testMaster();
    const answer = await rpc(master, "slapos.put.v0.compute_node_format", { computer_guid: "COMP-9", compute_partition_list: [{ partition_id: "p0" }] });
    expect(JSON.parse(answer.text)).toEqual({ type: "success", title: "Formatted" });
    const list = JSON.parse((await rpc(master, "slapos.allDocs.WIP.compute_node_list", {})).text);
    expect(list.result_list).toEqual([{ computer_guid: "COMP-9" }]);
  });

  test("an unknown instance guid shape is 403", async () => {
    master = await testMaster();
    const answer = await rpc(master, "slapos.get.v0.software_instance", { instance_guid: "nope" });
    expect(answer.text).toBe('{"status": 403, "type": "Forbidden", "title": "instance_guid nope not handled."}');
  });
});
