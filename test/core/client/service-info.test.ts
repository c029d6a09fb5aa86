// The `service info` document (the reference's TestCliInfo cases): connection parameters
// from a master's list or slapproxy's XML, json-in-xml decoding, status from the news.
import { describe, expect, test } from "bun:test";
import { serviceInfo } from "../../../core/client/service.ts";
import { dumpsJson, loadsJson } from "../../../core/slap/python-json.ts";
import type { JsonObject } from "../../../core/client/hateoas.ts";
import { dict2xml } from "../../../core/slap/param-xml.ts";

function instance(connection: unknown, news?: unknown[]): JsonObject {
  const data = loadsJson(
    JSON.stringify({
      url_string: "SR1",
      source_reference: "mytype",
      root_slave: 0,
      slap_state: "mystate",
      text_content: dict2xml({ myinstanceparameter: "value2" }),
      connection_parameter_list: connection,
      ...(news ? { news: { instance: news } } : {}),
    }),
  );
  return data as JsonObject;
}

const XML = dict2xml({ myconnectionparameter: "value1" });
const JSON_IN_XML = '<instance>\n  <parameter id="_">{"myconnectionparameter": "value1"}</parameter>\n</instance>';
const info = (data: JsonObject, news = false) => dumpsJson(serviceInfo(data, "json-in-xml", news), { indent: 2 });

describe("service info document", () => {
  test("xml serialisation: the reference's exact JSON", () => {
    expect(info(instance(XML))).toBe(
      '{\n  "software-url": "SR1",\n  "software-type": "mytype",\n  "shared": false,\n  "requested-state": "mystate",\n' +
        '  "instance-parameters": {\n    "myinstanceparameter": "value2"\n  },\n' +
        '  "connection-parameters": {\n    "myconnectionparameter": "value1"\n  },\n  "status": "unsupported"\n}',
    );
  });

  test("json-in-xml connection parameters are decoded", () => {
    expect(JSON.parse(info(instance(JSON_IN_XML)))["connection-parameters"]).toEqual({ myconnectionparameter: "value1" });
  });

  test("xml serialisation leaves `_` as it is", () => {
    const doc = serviceInfo(instance(JSON_IN_XML), "xml", false);
    expect(JSON.parse(dumpsJson(doc))["connection-parameters"]).toEqual({ _: '{"myconnectionparameter": "value1"}' });
  });

  test("a real master's connection list of {connection_key, connection_value}", () => {
    const list = [{ connection_key: "url", connection_value: "https://x/" }, { connection_key: "user", connection_value: "u" }];
    expect(JSON.parse(info(instance(list)))["connection-parameters"]).toEqual({ url: "https://x/", user: "u" });
  });

  const statuses: Array<[string, string[]]> = [
    ["none", ["toto"]],
    ["green", ["#access", "toto"]],
    ["red", ["#error", "toto"]],
    ["orange", ["#error", "#access", "toto"]],
  ];
  for (const [status, texts] of statuses) {
    test(`status ${status} from news ${JSON.stringify(texts)}`, () => {
      expect(JSON.parse(info(instance(XML, texts.map((text) => ({ text })))))["status"]).toBe(status);
    });
  }

  test("--news adds the raw news last", () => {
    const parsed = JSON.parse(info(instance(XML, [{ text: "toto" }]), true));
    expect(Object.keys(parsed).slice(-2)).toEqual(["status", "news"]);
    expect(parsed.news).toEqual([{ text: "toto" }]);
  });

  test("without --news, no news key", () => {
    expect(Object.keys(JSON.parse(info(instance(XML, [{ text: "toto" }]))))).not.toContain("news");
  });

  test("no connection parameters at all (null) is {}", () => {
    expect(JSON.parse(info(instance(null)))["connection-parameters"]).toEqual({});
  });
});
