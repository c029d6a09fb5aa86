/**
 * slapos.cookbook:slapconfiguration (+ .serialised) through real profiles,
 * against a loopback server answering with the reference's captured
 * registerComputerPartition body.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dumps, loads } from "../../../../core/slap/marshal/index.ts";
import { PyObject, pyDict } from "../../../../core/slap/marshal/values.ts";
import { buildout, installOk, project, read } from "./helpers.ts";
import { ReplayMaster, readCapture } from "./replay-master.ts";

const REGISTER = readCapture("registerComputerPartition.txt");
let master: ReplayMaster | undefined;
afterEach(() => master?.stop());

const profile = (url: string, recipe = "slapos.cookbook:slapconfiguration", extra = "") => `[buildout]
parts = values template

[slap-configuration]
recipe = ${recipe}
computer = COMP-PEER
partition = slappart0
url = ${url}
key =
cert =
configuration.default-only = kept
${extra}

[values]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/values.json
inline = {{ {'configuration': configuration, 'ipv4': ipv4, 'ipv6': ipv6, 'slaves': slaves, 'storage': storage} | tojson }}
context =
  key configuration slap-configuration:configuration
  key ipv4 slap-configuration:ipv4
  key ipv6 slap-configuration:ipv6
  key slaves slap-configuration:slave-instance-list
  key storage slap-configuration:storage-dict

[template]
recipe = slapos.recipe.template
output = \${buildout:directory}/values.txt
inline =
  answer=\${slap-configuration:configuration.answer}
  default=\${slap-configuration:configuration.default-only}
  title=\${slap-configuration:instance-title}
  root=\${slap-configuration:root-instance-title}
  short=\${slap-configuration:root-instance-short-title}
  type=\${slap-configuration:slap-software-type}
  computer=\${slap-configuration:slap-computer-id}
  partition=\${slap-configuration:slap-computer-partition-id}
  sr=\${slap-configuration:slap-software-release-url}
  guid=\${slap-configuration:instance-guid}
  state=\${slap-configuration:instance-state}
  timestamp=\${slap-configuration:timestamp}
  ipv4=\${slap-configuration:ipv4-random}
  ipv6=\${slap-configuration:ipv6-random}
`;

test("reads the partition from the master: the registerComputerPartition query is the reference's", async () => {
  master = new ReplayMaster().answer(REGISTER);
  const dir = project(profile(master.url));
  await installOk(dir);
  expect(master.calls("/registerComputerPartition").map((c) => c.raw)).toEqual([REGISTER.request]);
  expect(read(dir, "values.txt")).toBe(`answer=42
default=kept
title=peer-inst-1
root=peer-inst-1
short=UNKNOWN
type=default
computer=COMP-PEER
partition=slappart0
sr=/srv/sr/trivial/software.cfg
guid=COMP-PEER-slappart0
state=started
timestamp=1795303185.9689088
ipv4=127.0.0.1
ipv6=::1`);
  expect(JSON.parse(read(dir, "values.json"))).toEqual({
    configuration: { answer: "42", foo: "bar" },
    ipv4: ["127.0.0.1"],
    ipv6: ["::1"],
    slaves: [{ domain: "example.test", slap_software_type: "default", slave_reference: "_peer-slave-1", slave_title: "_peer-slave-1" }],
    storage: {},
  });
});

test(".serialised unwraps {'_': json} parameters into configuration and configuration.* options", async () => {
  // The captured partition, with its parameters sent serialised as a modern profile receives them.
  const partition = loads(REGISTER.body) as PyObject;
  const parameters = partition.state._parameter_dict as Record<string, unknown>;
  const serialised = pyDict(Object.entries(parameters).filter(([k]) => !["answer", "foo"].includes(k)) as never);
  serialised._ = JSON.stringify({ answer: 42, nested: { list: [1, 2] }, "a:b": "skipped as option" });
  partition.state._parameter_dict = serialised;
  master = new ReplayMaster().answer({ ...REGISTER, body: dumps(partition) });
  const dir = project(
    profile(master.url, "slapos.cookbook:slapconfiguration.serialised").replace("answer=${slap-configuration:configuration.answer}", "answer=${slap-configuration:configuration.answer} nested=${slap-configuration:configuration.nested}"),
  );
  await installOk(dir);
  expect(JSON.parse(read(dir, "values.json")).configuration).toEqual({ answer: 42, nested: { list: [1, 2] }, "a:b": "skipped as option" });
  expect(read(dir, "values.txt").split("\n")[0]).toBe('answer=42 nested={"list":[1,2]}');
});

test("storage-home links DATA/<name> and the partition resource file adds flattened keys", async () => {
  master = new ReplayMaster().answer(REGISTER);
  const storage = join(project(""), "storage");
  mkdirSync(join(storage, "disk0", "slappart0"), { recursive: true });
  mkdirSync(join(storage, "disk1", "other"), { recursive: true });
  const dir = project(
    profile(master.url, "slapos.cookbook:slapconfiguration", `storage-home = ${storage}`).replace("ipv6=${slap-configuration:ipv6-random}", "ipv6=${slap-configuration:ipv6-random}\n  tun=${slap-configuration:tun-ipv4-addr}"),
  );
  writeFileSync(join(dir, ".slapos-resource"), JSON.stringify({ tun: { ipv4_addr: "172.16.0.2" }, "instance-title": "never overrides" }));
  await installOk(dir);
  expect(readlinkSync(join(dir, "DATA", "disk0"))).toBe(join(storage, "disk0", "slappart0"));
  expect(JSON.parse(read(dir, "values.json")).storage).toEqual({ disk0: join(dir, "DATA", "disk0") });
  const text = read(dir, "values.txt");
  expect(text).toContain("title=peer-inst-1");
  expect(text).toContain("tun=172.16.0.2");
});

test("an unknown partition (master answers 500) fails naming the part and the recipe", async () => {
  master = new ReplayMaster().answer(readCapture("extra/registerComputerPartition-500-unknown-partition.txt"));
  const run = await buildout(project(profile(master.url)));
  expect(run.code).toBe(1);
  expect(run.text).toContain("[slap-configuration] (slapos.cookbook:slapconfiguration) initialising: 500");
});

test("an unreachable master fails naming the part", async () => {
  const run = await buildout(project(profile("http://127.0.0.1:1")));
  expect(run.code).toBe(1);
  expect(run.text).toContain("[slap-configuration] (slapos.cookbook:slapconfiguration) initialising: cannot reach");
});
