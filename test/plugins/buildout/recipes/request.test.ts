/**
 * slapos.cookbook:request / requestoptional (+ .serialised) through real
 * profiles, against a loopback server answering with the reference's
 * captured requestComputerPartition bodies.
 */
import { afterEach, expect, test } from "bun:test";
import { loads } from "../../../../core/slap/marshal/index.ts";
import { buildout, installOk, installedParts, project, read, slapConnection } from "./helpers.ts";
import { ReplayMaster, readCapture } from "./replay-master.ts";

const FIRST = readCapture("requestComputerPartition.txt");
const WITH_CONNECTION = readCapture("extra/requestComputerPartition-rerequest-with-connection.txt");
const SHARED = readCapture("extra/requestComputerPartition-slave.txt");
const NO_PARTITION = readCapture("extra/requestComputerPartition-404-no-free-partition.txt");
const STATUS = { method: "GET", path: "/getComputerPartitionStatus", status: 200, body: "<marshal><string>Not implemented.</string></marshal>" };
let master: ReplayMaster | undefined;
afterEach(() => master?.stop());

const profile = (url: string, recipe: string, extra = "") => `[buildout]
parts = show

${slapConnection(url)}
[request-base]
server-url = \${slap-connection:server-url}
key-file = \${slap-connection:key-file}
cert-file = \${slap-connection:cert-file}
computer-id = \${slap-connection:computer-id}
partition-id = \${slap-connection:partition-id}

[child]
<= request-base
recipe = ${recipe}
software-url = /srv/sr/trivial/software.cfg
name = peer-inst-1
config-answer = 42
config-foo = bar
return = url user
${extra}

[show]
recipe = slapos.recipe.template
output = \${buildout:directory}/child.txt
inline = url=\${child:connection-url} user=\${child:connection-user} guid=\${child:instance-guid} state=\${child:instance-state} requested=\${child:requested-state} status=\${child:instance-status}
`;

test("the request carries the reference's fields plus the requesting partition, and connection values come back", async () => {
  master = new ReplayMaster().answer(WITH_CONNECTION).answer(STATUS);
  const dir = project(profile(master.url, "slapos.cookbook:request", "state = started"));
  await installOk(dir);
  const [call] = master.calls("/requestComputerPartition");
  // The capture's raw body still has the recording machine's path (its decoded fields were rewritten).
  const reference = new URLSearchParams(WITH_CONNECTION.request.replaceAll("%2Fwork%2Fpeer%2Fsr", "%2Fsrv%2Fsr"));
  const sent = [...call!.fields.entries()];
  expect(sent.slice(0, 5)).toEqual([...reference.entries()].slice(0, 5));
  expect(sent.slice(5)).toEqual([
    ["state", "<marshal><string>started</string></marshal>"],
    ["shared_xml", "<marshal><bool>0</bool></marshal>"],
    ["computer_id", "COMP-PEER"],
    ["computer_partition_id", "slappart0"],
  ]);
  expect(master.calls("/getComputerPartitionStatus").map((c) => c.raw)).toEqual(["computer_id=COMP-PEER&computer_partition_id=slappart0"]);
  expect(read(dir, "child.txt")).toBe("url=http://127.0.0.1:8080/ user=admin guid=COMP-PEER-slappart0 state=started requested=started status=Not implemented.");
});

test("request fails the part while a returned parameter is missing", async () => {
  master = new ReplayMaster().answer(FIRST).answer(STATUS);
  const dir = project(profile(master.url, "slapos.cookbook:request").replace("parts = show", "parts = child"));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[child] (slapos.cookbook:request) installing: Connection parameter url not found. Status of requested instance is: started.");
  expect(installedParts(dir)).toEqual([]);
});

test("requestoptional only warns, and the missing parameters are empty", async () => {
  master = new ReplayMaster().answer(FIRST).answer(STATUS);
  const dir = project(profile(master.url, "slapos.cookbook:requestoptional"));
  await installOk(dir);
  expect(read(dir, "child.txt")).toStartWith("url= user= guid=COMP-PEER-slappart0");
  expect(installedParts(dir)).toEqual(["child", "show"]);
});

test("a failed request (no free partition) fails request and not requestoptional", async () => {
  master = new ReplayMaster().answer(NO_PARTITION);
  const failing = await buildout(project(profile(master.url, "slapos.cookbook:request").replace("parts = show", "parts = child")));
  expect(failing.code).toBe(1);
  expect(failing.text).toContain("[child] (slapos.cookbook:request) installing: http://");
  expect(failing.text).toContain("/requestComputerPartition - software_release=");
  const optional = project(profile(master.url, "slapos.cookbook:requestoptional").replace("parts = show", "parts = child"));
  await installOk(optional);
});

test("a shared request sends shared_xml true and reads no guid or status", async () => {
  master = new ReplayMaster().answer(SHARED);
  const dir = project(
    profile(master.url, "slapos.cookbook:requestoptional", "shared = true")
      .replace("name = peer-inst-1", "name = peer-slave-1")
      .replace("config-answer = 42\nconfig-foo = bar", "config-domain = example.test")
      .replace(" guid=${child:instance-guid} state=${child:instance-state}", "")
      .replace(" status=${child:instance-status}", ""),
  );
  await installOk(dir);
  const [call] = master.calls("/requestComputerPartition");
  expect(call!.fields.get("shared_xml")).toBe("<marshal><bool>1</bool></marshal>");
  expect(call!.fields.get("partition_parameter_xml")).toBe(new URLSearchParams(SHARED.request).get("partition_parameter_xml"));
  expect(master.calls("/getComputerPartitionStatus")).toEqual([]);
});

test("request.serialised sends {'_': json} and reads the answer's '_' JSON", async () => {
  const answer = WITH_CONNECTION.body.replace(
    '<string>_connection_dict</string><dictionary id="i4"><string>url</string><string>http://127.0.0.1:8080/</string><string>user</string><string>admin</string></dictionary>',
    '<string>_connection_dict</string><dictionary id="i4"><string>_</string><string>{"url": "http://127.0.0.1:8080/", "user": "admin"}</string></dictionary>',
  );
  master = new ReplayMaster().answer({ ...WITH_CONNECTION, body: answer }).answer(STATUS);
  const dir = project(profile(master.url, "slapos.cookbook:request.serialised"));
  await installOk(dir);
  const [call] = master.calls("/requestComputerPartition");
  expect(loads(call!.fields.get("partition_parameter_xml")!)).toEqual({ _: '{"answer": "42", "foo": "bar"}' });
  expect(read(dir, "child.txt")).toStartWith("url=http://127.0.0.1:8080/ user=admin");
});

test("obsolete config and sla options are refused", async () => {
  master = new ReplayMaster();
  const run = await buildout(project(profile(master.url, "slapos.cookbook:request", "config = answer")));
  expect(run.code).toBe(1);
  expect(run.text).toContain("'config' & 'sla' options are obsolete");
});
