/**
 * Integration: an instance profile written the way SlapOS software releases
 * write them (slapconfiguration.serialised → jinja2-rendered type profile →
 * switch-softwaretype nested buildout → mkdirectory, generate.password,
 * wrappers in etc/service → publish.serialised), with slapgrid's tail,
 * installed in a partition folder against the embedded master (`slapos
 * proxy start`'s, in process on loopback): the master allocates the
 * partition, the profile reads it, requests a child instance, publishes,
 * and the requester reads the published values back from the master.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "../../../../core/log/logger.ts";
import { startMaster, type RunningMaster } from "../../../../core/master/index.ts";
import { buildoutTail } from "../../../../core/node/instance/tail.ts";
import { SlapClient } from "../../../../core/slap/client.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { formatDocument } from "../../../core/master/fixtures.ts";
import { installOk, installedParts, read } from "./helpers.ts";

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
[slap-connection-base]
server-url = \${slap-connection:server-url}
key-file = \${slap-connection:key-file}
cert-file = \${slap-connection:cert-file}
computer-id = \${slap-connection:computer-id}
partition-id = \${slap-connection:partition-id}

[request-child]
<= slap-connection-base
recipe = slapos.cookbook:requestoptional.serialised
software-url = \${slap-connection:software-release-url}
software-type = child
name = {{ instance_title }}-child
config-parent-title = {{ instance_title }}
return = url

[publish-connection-parameter]
recipe = slapos.cookbook:publish.serialised
url = http://{{ ipv4 | first }}:{{ port }}/
password = \${password:passwd}
title = {{ instance_title }}
services = {{ service_list | join(' ') }}
child-guid = \${request-child:instance-guid}
child-url = \${request-child:connection-url}
{%- for name in service_list %}
-extra-dependency-{{ name }} = \${ {{- name }}:wrapper-path}
{%- endfor %}
`;

const SR = "http://sr.test/software.cfg";
let master: RunningMaster;
let client: SlapClient;
let software: string;
let partition: string;

beforeAll(async () => {
  master = await startMaster({
    settings: { computerId: "COMP-TEST", port: 0, databaseUri: join(tempDir("master-"), "proxy.db") },
    log: new Logger("slapos.test-master"),
  });
  client = new SlapClient({ masterUrl: master.url });
  await client.loadComputerConfigurationFromXML(formatDocument(["slappart0", "slappart1", "slappart2"], "COMP-TEST"));
  // What `slapos request` does: the master allocates a partition for the instance.
  const requested = await client.requestComputerPartition({
    softwareRelease: SR,
    partitionReference: "MyInstance",
    parameters: { _: JSON.stringify({ nodes: 2, port: "9090" }) },
  });
  const partitionId = requested.getPartitionId()!;

  software = tempDir("software-");
  writeFileSync(join(software, "instance.cfg"), INSTANCE_CFG.replace("SOFTWARE", software));
  writeFileSync(join(software, "instance-default.cfg.in"), INSTANCE_DEFAULT);
  partition = join(tempDir("instance-root-"), partitionId);
  mkdirSync(partition, { mode: 0o750 });
  // What slapgrid does: copy instance.cfg and append its tail.
  const tail = buildoutTail({
    computerId: "COMP-TEST",
    partitionId,
    serverUrl: master.url,
    softwareReleaseUrl: SR,
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

/** What the requester sees: the connection parameters the master stored for MyInstance. */
async function published(): Promise<Record<string, string>> {
  const instance = await client.requestComputerPartition({ softwareRelease: SR, partitionReference: "MyInstance", parameters: { _: JSON.stringify({ nodes: 2, port: "9090" }) } });
  const text = instance.getConnectionParameterDict()._;
  return JSON.parse(String(text)) as Record<string, string>;
}

test("the instance profile installs: services in etc/service, a child requested, connection parameters published", async () => {
  await installOk(partition);
  const partitionId = partition.split("/").pop()!;
  expect(installedParts(partition)).toEqual(["slap-configuration", "instance-default", "switch-softwaretype"]);
  expect(existsSync(join(partition, ".installed-switch-softwaretype.cfg"))).toBe(true);
  const services = readdirSync(join(partition, "etc/service")).sort();
  expect(services).toHaveLength(2);
  expect(services[0]).toMatch(/^node-0-[0-9a-f]{32}$/);
  expect(services[1]).toMatch(/^node-1-[0-9a-f]{32}$/);
  const password = read(partition, "etc/.password").match(/^\{"": "([A-Za-z0-9]{16})"\}$/)![1]!;
  expect(read(partition, "etc/server.conf")).toBe(`title = MyInstance\nlisten = 1.2.3.4:9090\npassword = ${password}`);
  const wrapper = join(partition, "etc/service", services[1]!);
  expect(statSync(wrapper).mode & 0o777).toBe(0o700);
  const ran = Bun.spawnSync([wrapper]);
  expect(ran.stdout.toString()).toBe(`node-1 on ${partitionId}\ntitle = MyInstance\nlisten = 1.2.3.4:9090\npassword = ${password}`);
  // The child instance exists on the master, with the parameter the parent gave it.
  const child = await client.registerComputerPartition("COMP-TEST", "slappart1");
  expect(child.getInstanceParameterDict()._).toBe('{"parent-title": "MyInstance"}');
  const connection = await published();
  expect(connection).toEqual({
    url: "http://1.2.3.4:9090/",
    password,
    title: "MyInstance",
    services: "node-0 node-1",
    "child-guid": child.getInstanceGuid(),
    "child-url": "",
  });
});

test("a second run keeps the password, the services and what is published", async () => {
  const before = { services: readdirSync(join(partition, "etc/service")).sort(), published: await published() };
  await installOk(partition);
  expect(readdirSync(join(partition, "etc/service")).sort()).toEqual(before.services);
  expect(await published()).toEqual(before.published);
});
