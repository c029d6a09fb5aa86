/** slapos.cookbook:slapconfiguration.jsonschema through real profiles, against a replay of the reference master. */
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dumps, loads } from "../../../../core/slap/marshal/index.ts";
import { pyDict, type PyObject } from "../../../../core/slap/marshal/values.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { buildout, installOk, project, read } from "./helpers.ts";
import { ReplayMaster, readCapture } from "./replay-master.ts";

let master: ReplayMaster | undefined;
afterEach(() => master?.stop());

/** A software release folder with its schemas; the request schema $refs a sibling file. */
function software(): string {
  const dir = tempDir("sr-");
  writeFileSync(join(dir, "software.cfg.json"), JSON.stringify({
    name: "Test",
    serialisation: "json-in-xml",
    "software-type": {
      default: { title: "Default", "software-type": "default", request: "instance-input-schema.json", response: "out.json", index: 0 },
      "default-slave": { title: "Shared", "software-type": "default", shared: true, request: "shared-input-schema.json", response: "out.json", index: 1 },
    },
  }));
  mkdirSync(join(dir, "defs"));
  writeFileSync(join(dir, "defs", "common.json"), JSON.stringify({ $defs: { port: { type: "integer", minimum: 1, maximum: 65535, default: 8080 } } }));
  writeFileSync(join(dir, "instance-input-schema.json"), JSON.stringify({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: {
      port: { $ref: "defs/common.json#/$defs/port" },
      debug: { type: "boolean", default: false },
      name: { type: "string", default: "main" },
      nested: { type: "object", properties: { count: { type: "integer", default: 3 } } },
    },
    additionalProperties: false,
  }));
  writeFileSync(join(dir, "shared-input-schema.json"), JSON.stringify({
    type: "object",
    properties: { domain: { type: "string" } },
    required: ["domain"],
  }));
  return dir;
}

function masterWith(parameters: Record<string, unknown>, slaves: unknown[] = []): ReplayMaster {
  const register = readCapture("registerComputerPartition.txt");
  const object = loads(register.body) as PyObject;
  const dict = { ...(object.state._parameter_dict as Record<string, never>) };
  delete dict.answer;
  delete dict.foo;
  dict.slave_instance_list = slaves as never;
  object.state._parameter_dict = pyDict([...Object.entries(dict), ["_", JSON.stringify(parameters)]]);
  return new ReplayMaster()
    .answer({ ...register, body: dumps(object) })
    .answer({ method: "POST", path: "/softwareInstanceError", status: 200, body: "Ignored" });
}

const profile = (url: string, sr: string, extra: string) => `[buildout]
parts = values

[slap-configuration]
recipe = slapos.cookbook:slapconfiguration.jsonschema
computer = COMP-PEER
partition = slappart0
url = ${url}
jsonschema = ${sr}/software.cfg.json
${extra}

[values]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/values.json
inline = {{ {'configuration': configuration, 'valid': valid, 'invalid': invalid} | tojson }}
context =
  key configuration slap-configuration:configuration
  jsonkey valid slap-configuration:valid-shared-instance-list
  jsonkey invalid slap-configuration:invalid-shared-instance-list
`;

test("valid parameters get schema defaults and unstringified values", async () => {
  master = masterWith({ port: "8443", debug: "True", nested: {} }, [{ slave_reference: "_s1", _: JSON.stringify({ domain: "a.test" }) }, { slave_reference: "_s2", _: "{}" }]);
  const dir = project(profile(master.url, software(), "set-default = main\nunstringify = main"));
  await installOk(dir);
  const values = JSON.parse(read(dir, "values.json"));
  expect(values.configuration).toEqual({ port: 8443, debug: true, name: "main", nested: { count: 3 } });
  expect(values.valid).toEqual([{ reference: "_s1", parameters: { domain: "a.test" } }]);
  expect(values.invalid).toEqual([{ reference: "_s2", parameters: {}, errors: "  $: 'domain' is a required property" }]);
  // The invalid shared instance was reported to the master.
  const reports = master.calls("/softwareInstanceError");
  expect(reports.map((r) => [r.fields.get("slave_reference"), r.fields.get("error_log")])).toEqual([["_s2", "  $: 'domain' is a required property"]]);
});

test("invalid main parameters fail the part and are reported to the master", async () => {
  master = masterWith({ port: "not a number", extra: 1 });
  const dir = project(profile(master.url, software(), "validate-parameters = main"));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[slap-configuration] (slapos.cookbook:slapconfiguration.jsonschema) initialising: Invalid parameters:");
  const [report] = master.calls("/softwareInstanceError");
  const log = report!.fields.get("error_log")!;
  expect(log.split("\n")[0]).toBe("Invalid parameters:");
  expect(log).toContain("  $.port: 'not a number' is not of type 'integer'");
  expect(log).toContain("  $: Additional properties are not allowed ('extra' was unexpected)");
});

test("without validation, main and shared parameters are only unwrapped", async () => {
  master = masterWith({ anything: "goes" }, [{ slave_reference: "_s1", _: JSON.stringify({ domain: "a.test", slave_reference: "ignored" }) }]);
  const dir = project(
    profile(master.url, software(), "validate-parameters = none")
      .replace("'valid': valid, 'invalid': invalid", "'shared': shared")
      .replace("  jsonkey valid slap-configuration:valid-shared-instance-list\n  jsonkey invalid slap-configuration:invalid-shared-instance-list", "  key shared slap-configuration:slave-instance-list"),
  );
  await installOk(dir);
  expect(JSON.parse(read(dir, "values.json"))).toEqual({ configuration: { anything: "goes" }, shared: [{ slave_reference: "_s1", domain: "a.test" }] });
});

test("a bad option value and a software type without schema are errors", async () => {
  master = masterWith({});
  const bad = await buildout(project(profile(master.url, software(), "set-default = sometimes")));
  expect(bad.text).toContain("'sometimes' is not a valid value for option 'set-default'");
  const sr = software();
  writeFileSync(join(sr, "software.cfg.json"), JSON.stringify({ serialisation: "json-in-xml", "software-type": {} }));
  const missing = await buildout(project(profile(master.url, sr, "")));
  expect(missing.text).toContain("requested software-type 'default' seems to have no JSON schema entry in the software.cfg.json.");
});
