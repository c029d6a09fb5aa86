/**
 * slapos.cookbook:publish (+ .serialised, failsafe) through real profiles,
 * against a loopback server answering like the reference master; the POST
 * body is compared with the reference's captured bytes.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../../core/slap/marshal/index.ts";
import { buildout, installOk, installedParts, project, slapConnection } from "./helpers.ts";
import { ReplayMaster, readCapture } from "./replay-master.ts";

const SET = readCapture("setComputerPartitionConnectionXml.txt");
let master: ReplayMaster | undefined;
afterEach(() => master?.stop());

const tail = (url: string) => `\n${slapConnection(url)}`;

test("publish sends the reference's exact setComputerPartitionConnectionXml body", async () => {
  master = new ReplayMaster().answer(SET);
  const dir = project(`[buildout]
parts = publish

[publish]
recipe = slapos.cookbook:publish
user = admin
url = http://127.0.0.1:8080/
-not-published = hidden
${tail(master.url)}`);
  await installOk(dir);
  expect(master.calls("/setComputerPartitionConnectionXml").map((c) => c.raw)).toEqual([SET.request]);
  expect(installedParts(dir)).toEqual(["publish"]);
});

test("-publish selects options, -extends adds sections, -slave-reference publishes for a shared instance", async () => {
  master = new ReplayMaster().answer(SET);
  const dir = project(`[buildout]
parts = publish

[publish]
recipe = slapos.cookbook:publish
-publish = url
-extends = more
-slave-reference = _peer-slave-1
url = http://x/
ignored = not listed

[more]
password = secret
${tail(master.url)}`);
  await installOk(dir);
  const [call] = master.calls("/setComputerPartitionConnectionXml");
  expect(call!.fields.get("slave_reference")).toBe("_peer-slave-1");
  expect(loads(call!.fields.get("connection_xml")!)).toEqual({ url: "http://x/", password: "secret" });
});

test("update republishes only when -extends is used", async () => {
  master = new ReplayMaster().answer(SET);
  const plain = project(`[buildout]\nparts = publish\n\n[publish]\nrecipe = slapos.cookbook:publish\nurl = http://x/\n${tail(master.url)}`);
  await installOk(plain);
  await installOk(plain);
  expect(master.calls("/setComputerPartitionConnectionXml").length).toBe(1);
  const extended = project(`[buildout]\nparts = publish\n\n[publish]\nrecipe = slapos.cookbook:publish\n-extends = more\n\n[more]\nurl = http://x/\n${tail(master.url)}`);
  await installOk(extended);
  await installOk(extended);
  expect(master.calls("/setComputerPartitionConnectionXml").length).toBe(3);
});

test("publish.serialised sends {'_': json.dumps(values)}", async () => {
  master = new ReplayMaster().answer(SET);
  const dir = project(`[buildout]
parts = publish

[publish]
recipe = slapos.cookbook:publish.serialised
url = http://[::1]:8080/
user = admin
${tail(master.url)}`);
  await installOk(dir);
  const [call] = master.calls("/setComputerPartitionConnectionXml");
  const sent = loads(call!.fields.get("connection_xml")!) as Record<string, string>;
  expect(Object.keys(sent)).toEqual(["_"]);
  expect(JSON.parse(sent._!)).toEqual({ url: "http://[::1]:8080/", user: "admin" });
  expect(sent._).toMatch(/^\{"(url|user)": "[^"]+", "(url|user)": "[^"]+"\}$/);
});

test("publish fails the part when the master refuses", async () => {
  master = new ReplayMaster();
  const dir = project(`[buildout]\nparts = publish\n\n[publish]\nrecipe = slapos.cookbook:publish\nurl = http://x/\n${tail(master.url)}`);
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[publish] (slapos.cookbook:publish) installing:");
  expect(installedParts(dir)).toEqual([]);
});

test("publish_failsafe writes the error to -error-status-file instead of failing, and clears it once published", async () => {
  master = new ReplayMaster();
  const profile = `[buildout]\nparts = publish\n\n[publish]\nrecipe = slapos.cookbook:publish_failsafe\n-error-status-file = \${buildout:directory}/publish.error\nurl = http://x/\n${tail(master.url)}`;
  const dir = project(profile);
  await installOk(dir);
  expect(readFileSync(join(dir, "publish.error"), "utf8")).toContain("setComputerPartitionConnectionXml");
  master.answer(SET);
  await installOk(dir);
  expect(existsSync(join(dir, "publish.error"))).toBe(false);
  expect(master.calls("/setComputerPartitionConnectionXml").length).toBe(2);
  // Uninstalling removes a left-over error file.
  writeFileSync(join(dir, "publish.error"), "old");
  writeFileSync(join(dir, "buildout.cfg"), "[buildout]\nparts =\n");
  await installOk(dir);
  expect(existsSync(join(dir, "publish.error"))).toBe(false);
});
