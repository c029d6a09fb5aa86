/**
 * Benchmark: one instance buildout of a SlapOS-style profile (the
 * integration test's: slapconfiguration.serialised, jinja2, nested
 * switch-softwaretype, mkdirectory, password, N wrappers, publish) through
 * the native engine, first install and unchanged re-run, against a loopback
 * replay of the reference master.
 *
 *   bun test/bench/buildout-recipes/instance.ts [nodes]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHooks } from "../../../core/hooks/catalogue.ts";
import { buildoutTail } from "../../../core/node/instance/tail.ts";
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import { pyDict, type PyObject } from "../../../core/slap/marshal/values.ts";
import { runBuildout } from "../../../plugins/buildout/run/run.ts";
import { ReplayMaster, readCapture } from "../../plugins/buildout/recipes/replay-master.ts";

const nodes = Number(process.argv[2] ?? "50");

const INSTANCE = `[buildout]
parts = switch-softwaretype
offline = true

[slap-configuration]
recipe = slapos.cookbook:slapconfiguration.serialised
computer = \${slap-connection:computer-id}
partition = \${slap-connection:partition-id}
url = \${slap-connection:server-url}

[instance-default]
recipe = slapos.recipe.template:jinja2
url = SOFTWARE/instance-default.cfg.in
output = \${buildout:directory}/instance-default.cfg
extensions = jinja2.ext.do
context =
  key slapparameter_dict slap-configuration:configuration
  key ipv4 slap-configuration:ipv4

[switch-softwaretype]
recipe = slapos.cookbook:switch-softwaretype
default = instance-default:output
`;

const TYPE = `{% set service_list = [] -%}
[buildout]
parts = publish

[directory]
recipe = slapos.cookbook:mkdirectory
etc = \${buildout:directory}/etc
service = \${:etc}/service

[password]
recipe = slapos.cookbook:generate.password

{% for i in range(slapparameter_dict['nodes'] | int) -%}
{%   do service_list.append('node-%d' % i) -%}
[config-{{ i }}]
recipe = slapos.recipe.template
output = \${directory:etc}/node-{{ i }}.conf
inline = listen {{ ipv4 | first }}:{{ 8000 + i }} \${password:passwd}

[node-{{ i }}]
recipe = slapos.cookbook:wrapper
command-line = /bin/cat \${config-{{ i }}:output}
wrapper-path = \${directory:service}/node-{{ i }}
hash-files = \${config-{{ i }}:output}

{% endfor -%}
[publish]
recipe = slapos.cookbook:publish.serialised
url = http://{{ ipv4 | first }}/
{%- for name in service_list %}
-dep-{{ name }} = \${ {{- name }}:wrapper-path}
{%- endfor %}
`;

const register = readCapture("registerComputerPartition.txt");
const object = loads(register.body) as PyObject;
object.state._parameter_dict = pyDict([...Object.entries(object.state._parameter_dict as Record<string, never>), ["_", JSON.stringify({ nodes: String(nodes) })]]);
const master = new ReplayMaster().answer({ ...register, body: dumps(object) }).answer(readCapture("setComputerPartitionConnectionXml.txt"));

const root = mkdtempSync(join(tmpdir(), "bench-instance-"));
try {
  const software = join(root, "software");
  const partition = join(root, "slappart0");
  mkdirSync(software);
  mkdirSync(partition);
  writeFileSync(join(software, "instance-default.cfg.in"), TYPE);
  const tail = buildoutTail({
    computerId: "COMP-PEER", partitionId: "slappart0", serverUrl: master.url, softwareReleaseUrl: "/srv/sr/trivial/software.cfg",
    keyFile: "", certFile: "", requestedState: "started", storageHome: "", globalIpv4Network: "", sharedPartList: "", buildTimePartList: "",
  });
  writeFileSync(join(partition, "buildout.cfg"), `${INSTANCE.replace("SOFTWARE", software)}\n\n${tail}`);
  const run = async () => {
    const start = performance.now();
    const result = await runBuildout({ argv: ["-U"], cwd: partition, hooks: createHooks(), fork: true, output: () => {} });
    if (result.code !== 0) throw result.error;
    return performance.now() - start;
  };
  const first = await run();
  const again: number[] = [];
  for (let i = 0; i < 5; i++) again.push(await run());
  again.sort((a, b) => a - b);
  console.log(`instance profile with ${nodes} services (${nodes * 2 + 6} parts across the nested buildout)`);
  console.log(`first install      : ${first.toFixed(0)} ms`);
  console.log(`unchanged re-run   : ${again[2]!.toFixed(0)} ms (median of 5)`);
} finally {
  master.stop();
  rmSync(root, { recursive: true, force: true });
}
