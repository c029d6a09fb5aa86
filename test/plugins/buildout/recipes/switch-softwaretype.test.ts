/** slapos.cookbook:switch-softwaretype through real profiles (partition read from a replay of the reference master). */
import { afterEach, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { dumps, loads } from "../../../../core/slap/marshal/index.ts";
import type { PyObject } from "../../../../core/slap/marshal/values.ts";
import { buildout, installOk, project, read } from "./helpers.ts";
import { ReplayMaster, readCapture } from "./replay-master.ts";

let master: ReplayMaster | undefined;
afterEach(() => master?.stop());

function masterWithType(type: string): ReplayMaster {
  const register = readCapture("registerComputerPartition.txt");
  const object = loads(register.body) as PyObject;
  (object.state._parameter_dict as Record<string, unknown>).slap_software_type = type;
  return new ReplayMaster().answer({ ...register, body: dumps(object) });
}

const profile = (url: string, mapping: string) => `[buildout]
parts = switch

[slap-connection]
computer-id = COMP-PEER
partition-id = slappart0
server-url = ${url}
key-file =
cert-file =

[slap-configuration]
recipe = slapos.cookbook:slapconfiguration
computer = \${slap-connection:computer-id}
partition = \${slap-connection:partition-id}
url = \${slap-connection:server-url}

[default-profile]
recipe = slapos.recipe.template
output = \${buildout:directory}/default.cfg
inline =
  [buildout]
  parts = marker
  [marker]
  recipe = slapos.recipe.template
  output = $\${buildout:directory}/chosen
  inline = default $\${slap-configuration:slap-software-type} $\${slap-configuration:configuration.answer} $\${slap-connection:partition-id}

[other-profile]
recipe = slapos.recipe.template
output = \${buildout:directory}/other.cfg
inline =
  [buildout]
  parts = marker
  [marker]
  recipe = slapos.recipe.template
  output = $\${buildout:directory}/chosen
  inline = other

[switch]
recipe = slapos.cookbook:switch-softwaretype
${mapping}
`;

test("the type's profile runs as a nested buildout that sees the parent's slap-configuration", async () => {
  master = masterWithType("default");
  const dir = project(profile(master.url, "default = default-profile:output\nother = other-profile:output"));
  await installOk(dir);
  expect(read(dir, "chosen")).toBe("default default 42 slappart0");
  expect(existsSync(join(dir, ".installed-switch.cfg"))).toBe(true);
  expect(master.calls("/registerComputerPartition")).toHaveLength(1);
});

test("another type picks its own profile", async () => {
  master = masterWithType("other");
  const dir = project(profile(master.url, "default = default-profile:output\nother = other-profile:output"));
  await installOk(dir);
  expect(read(dir, "chosen")).toBe("other");
});

test("RootSoftwareInstance falls back to default", async () => {
  master = masterWithType("RootSoftwareInstance");
  const dir = project(profile(master.url, "default = default-profile:output"));
  await installOk(dir);
  expect(read(dir, "chosen")).toBe("default RootSoftwareInstance 42 slappart0");
});

test("an unmapped type and a ${} mapping are errors", async () => {
  master = masterWithType("nope");
  const unmapped = await buildout(project(profile(master.url, "default = default-profile:output")));
  expect(unmapped.code).toBe(1);
  expect(unmapped.text).toContain("This software type (nope) isn't mapped. 'default' is the default software type.");
  master.stop();
  master = masterWithType("default");
  const substituted = await buildout(project(profile(master.url, "default = ${default-profile:output}")));
  expect(substituted.code).toBe(1);
  expect(substituted.text).toContain("must be separated by a colon such as: 'section:key'");
});

test("without a [slap-configuration] section the error says so", async () => {
  const dir = project("[buildout]\nparts = switch\n\n[switch]\nrecipe = slapos.cookbook:switch-softwaretype\ndefault = x:y\n");
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("must be named [slap-configuration]");
});
