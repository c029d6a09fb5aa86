/**
 * Integration: an instance profile written the way SlapOS software releases
 * write them (slapconfiguration.serialised → jinja2-rendered type profile →
 * switch-softwaretype nested buildout → mkdirectory, generate.password,
 * wrappers in etc/service → publish.serialised), with slapgrid's tail,
 * installed in a partition folder against a loopback master that answers
 * with the reference's captured registerComputerPartition and
 * setComputerPartitionConnectionXml bodies.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildoutTail } from "../../../../core/node/instance/tail.ts";
import { dumps, loads } from "../../../../core/slap/marshal/index.ts";
import { pyDict, type PyObject } from "../../../../core/slap/marshal/values.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { installOk, installedParts, read } from "./helpers.ts";
import { ReplayMaster, readCapture } from "./replay-master.ts";

const INSTANCE_CFG = `[buildout]
parts = switch-softwaretype
eggs-directory = \${buildout:directory}/eggs
develop-eggs-directory = \${buildout:directory}/develop-eggs
offline = true

[slap-configuration]
recipe = slapos.cookbook:slapconfiguration.serialised
computer = \${slap-connection:computer-id}
partition = \${slap-connection:partition-id}
url = \${slap-connection:server-url}
key = \${slap-connection:key-file}
cert = \${slap-connection:cert-file}
storage-home = \${storage-configuration:storage-home}

[jinja2-template-base]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/\${:filename}
extensions = jinja2.ext.do
extra-context =
context =
  import json_module json
  key slapparameter_dict slap-configuration:configuration
  key ipv4 slap-configuration:ipv4
  key ipv6 slap-configuration:ipv6
  raw bin_directory /bin
  \${:extra-context}

[instance-default]
<= jinja2-template-base
url = SOFTWARE/instance-default.cfg.in
filename = instance-default.cfg
extra-context =
  key instance_title slap-configuration:instance-title
  key partition_id slap-configuration:slap-computer-partition-id

[switch-softwaretype]
recipe = slapos.cookbook:switch-softwaretype
default = instance-default:output
`;

const INSTANCE_DEFAULT = `{% set nodes = slapparameter_dict.get('nodes', 1) | int -%}
{% set port = slapparameter_dict.get('port', '8080') -%}
{% set service_list = [] -%}
[buildout]
parts =
  publish-connection-parameter

eggs-directory = \${buildout:eggs-directory}
develop-eggs-directory = \${buildout:develop-eggs-directory}
offline = true

[directory]
recipe = slapos.cookbook:mkdirectory
etc = \${buildout:directory}/etc
service = \${:etc}/service
var = \${buildout:directory}/var
run = \${:var}/run

[password]
recipe = slapos.cookbook:generate.password
storage-path = \${directory:etc}/.password

[config]
recipe = slapos.recipe.template
output = \${directory:etc}/server.conf
inline =
  title = {{ instance_title }}
  listen = {{ ipv4 | first }}:{{ port }}
  password = \${password:passwd}

{% for i in range(nodes) -%}
{%   set name = 'node-%d' % i -%}
{%   do service_list.append(name) -%}
[{{ name }}]
recipe = slapos.cookbook:wrapper
command-line = {{ bin_directory }}/sh -c 'echo "{{ name }} on {{ partition_id }}"; cat "$0"' \${config:output}
wrapper-path = \${directory:service}/{{ name }}
hash-files = \${config:output}
environment =
  NODE_INDEX={{ i }}

{% endfor -%}
[publish-connection-parameter]
recipe = slapos.cookbook:publish.serialised
url = http://{{ ipv4 | first }}:{{ port }}/
password = \${password:passwd}
title = {{ instance_title }}
services = {{ service_list | join(' ') }}
{%- for name in service_list %}
-extra-dependency-{{ name }} = \${ {{- name }}:wrapper-path}
{%- endfor %}
`;

let master: ReplayMaster;
let software: string;
let partition: string;

beforeAll(() => {
  // The captured partition, with the parameters a modern profile receives: {"_": json}.
  const register = readCapture("registerComputerPartition.txt");
  const object = loads(register.body) as PyObject;
  const parameters = { ...(object.state._parameter_dict as Record<string, never>) };
  delete parameters.answer;
  delete parameters.foo;
  object.state._parameter_dict = pyDict([...Object.entries(parameters), ["_", JSON.stringify({ nodes: 2, port: "9090" })]]);
  master = new ReplayMaster().answer({ ...register, body: dumps(object) }).answer(readCapture("setComputerPartitionConnectionXml.txt"));

  software = tempDir("software-");
  writeFileSync(join(software, "instance.cfg"), INSTANCE_CFG.replace("SOFTWARE", software));
  writeFileSync(join(software, "instance-default.cfg.in"), INSTANCE_DEFAULT);
  partition = join(tempDir("instance-root-"), "slappart0");
  mkdirSync(partition, { mode: 0o750 });
  // What slapgrid does: copy instance.cfg and append its tail.
  const tail = buildoutTail({
    computerId: "COMP-PEER",
    partitionId: "slappart0",
    serverUrl: master.url,
    softwareReleaseUrl: "/srv/sr/trivial/software.cfg",
    keyFile: "",
    certFile: "",
    requestedState: "started",
    storageHome: "",
    globalIpv4Network: "",
    sharedPartList: "",
    buildTimePartList: "",
  });
  writeFileSync(join(partition, "buildout.cfg"), `${read(software, "instance.cfg")}\n\n${tail}`);
});

afterAll(() => master.stop());

function published(): Record<string, string> {
  const calls = master.calls("/setComputerPartitionConnectionXml");
  const sent = loads(calls[calls.length - 1]!.fields.get("connection_xml")!) as Record<string, string>;
  return JSON.parse(sent._!) as Record<string, string>;
}

test("the instance profile installs: services in etc/service, connection parameters published", async () => {
  await installOk(partition);
  expect(installedParts(partition)).toEqual(["slap-configuration", "instance-default", "switch-softwaretype"]);
  expect(existsSync(join(partition, ".installed-switch-softwaretype.cfg"))).toBe(true);
  const services = readdirSync(join(partition, "etc/service")).sort();
  expect(services).toHaveLength(2);
  expect(services[0]).toMatch(/^node-0-[0-9a-f]{32}$/);
  expect(services[1]).toMatch(/^node-1-[0-9a-f]{32}$/);
  const password = read(partition, "etc/.password").match(/^\{"": "([A-Za-z0-9]{16})"\}$/)![1]!;
  expect(read(partition, "etc/server.conf")).toBe(`title = peer-inst-1\nlisten = 127.0.0.1:9090\npassword = ${password}`);
  const wrapper = join(partition, "etc/service", services[1]!);
  expect(statSync(wrapper).mode & 0o777).toBe(0o700);
  const ran = Bun.spawnSync([wrapper]);
  expect(ran.stdout.toString()).toBe(`node-1 on slappart0\ntitle = peer-inst-1\nlisten = 127.0.0.1:9090\npassword = ${password}`);
  expect(published()).toEqual({ url: "http://127.0.0.1:9090/", password, title: "peer-inst-1", services: "node-0 node-1" });
  // The nested buildout reads [slap-configuration] from its parent: one call to the master.
  expect(master.calls("/registerComputerPartition")).toHaveLength(1);
});

test("a second run keeps the password, the services and what is published", async () => {
  const before = { services: readdirSync(join(partition, "etc/service")).sort(), published: published() };
  await installOk(partition);
  expect(readdirSync(join(partition, "etc/service")).sort()).toEqual(before.services);
  expect(published()).toEqual(before.published);
});
