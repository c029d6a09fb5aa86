/**
 * What the instance buildout gets and what comes back from it
 * (node-runtime.md §3.4, §3.10, §2.5; §8.44, §8.46, §8.55, §8.59–8.60):
 * the profile's tail, a missing profile, the timeout, no leaked file
 * descriptors, and the requested-instance transaction.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import { BINARY } from "../../helpers/binary.ts";
import { Node, scratchDir, stopNodes, instanceProfile, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-bo-");
const release = (name: string, parts: Record<string, string>) => writeRelease(releases, name, { instance: instanceProfile(parts) });

describe("§8.59–8.60 the instance profile", () => {
  test("§8.60 test_buildout_tail_contains_shared_parts / …build_time_parts: the tail slapgrid appends, [slap-connection] included", async () => {
    const node = await Node.create({ certificates: true, slapos: "shared_part_list =\n  /opt/read_only\n  /opt/shared\nbuild_time_part_list = /opt/build\n" });
    const url = release("tail", { p: "recipe = plone.recipe.command\ncommand = true" });
    await node.deploy(url, "inst", "stopped");
    expect((await node.node("instance")).code).toBe(0);
    const text = readFileSync(join(node.partition(0), "buildout.cfg"), "utf8");
    const path = node.partition(0);
    expect(text).toStartWith(`${readFileSync(join(node.softwarePath(url), "instance.cfg"), "utf8")}\n\n# This is beginning of zc.buildout profile's tail added by slapgrid\n`);
    expect(text).toContain(
      `[slap-connection]
computer-id = ${node.computerId}
partition-id = slappart0
server-url = ${node.master.url}
software-release-url = ${url}
key-file = ${node.certs}/slappart0.key
cert-file = ${node.certs}/slappart0.crt
shared-part-list =
  /opt/read_only
  /opt/shared
build-time-part-list =
  /opt/build
requested-state = stopped
`,
    );
    expect(text).toEndWith("# This is end of zc.buildout profile's tail added by slapgrid\n");
    expect((Bun.file(join(path, "buildout.cfg")).size > 0)).toBe(true);
    const { statSync } = await import("node:fs");
    expect(statSync(join(path, "buildout.cfg")).mode & 0o777).toBe(0o640);
  });

  test("§8.59 test_instance_slapgrid_raise_if_software_release_instance_profile_does_not_exist: the release is 'not correctly installed'", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "no-profile", { parts: { p: "recipe = plone.recipe.command\ncommand = true" } });
    await node.deploy(url);
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    expect(run.calls.find((c) => c.path === "softwareInstanceError")!.fields.error_log).toBe(
      `Software Release ${url} is not correctly installed.\nMissing file: ${join(node.softwarePath(url), "instance.cfg")}`,
    );
  });

  test("§3.4 a partition folder whose mode is not 0750 is refused", async () => {
    const node = await Node.create();
    const url = release("mode", { p: "recipe = plone.recipe.command\ncommand = true" });
    await node.deploy(url);
    (await import("node:fs")).chmodSync(node.partition(0), 0o755);
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    expect(run.calls.find((c) => c.path === "softwareInstanceError")!.fields.error_log).toBe(
      `Wrong permissions in ${node.partition(0)}: actual permissions are: 0755, wanted are 0750`,
    );
  });
});

describe("§8.55 TestSlapgridPartitionTimeoutWithMaster", () => {
  const slow = release("slow", { sleep: "recipe = plone.recipe.command\ncommand = sleep 2\nupdate-command = ${:command}" });

  test("§8.55 test_timeouted: partition_timeout 1 s against a 2 s buildout fails the run (1), as a timeout", async () => {
    const node = await Node.create({ slapos: "partition_timeout = 1\n" });
    await node.deploy(slow);
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    expect(run.calls.find((c) => c.path === "softwareInstanceError")!.fields.error_log).toBe("Command '['buildout', '-U']' timed out after 1 seconds");
  });

  test("§8.55 test_finished / test_default: 3 s against a 2 s buildout, or no timeout, succeed", async () => {
    const node = await Node.create({ partitions: 2 });
    await node.supply(slow);
    expect((await node.node("software")).code).toBe(0);
    await node.request("a", slow);
    expect((await node.node("instance", "--partition-timeout", "3")).code).toBe(0);
    await node.request("b", slow);
    expect((await node.node("instance")).code).toBe(0);
  });
});

describe("§8.46 TestSlapgridNoFDLeak", () => {
  test("§8.46 test_no_fd_leak: buildout and its recipes see no file descriptor the node had open", async () => {
    const node = await Node.create();
    const check = "for fd in 3 4 5 6 7 8 9; do if true >&$fd; then echo leaked $fd; fi; done 2>/dev/null > fds; true";
    const url = writeRelease(releases, "fds", {
      parts: { p: `recipe = plone.recipe.command\ncommand = ${check}` },
      instance: instanceProfile({ p: `recipe = plone.recipe.command\ncommand = ${check}` }),
    });
    await node.supply(url);
    await node.request("inst", url);
    // the node runs with descriptors 5 to 8 open and inheritable
    for (const kind of ["software", "instance"]) {
      const child = Bun.spawn(["sh", "-c", `exec 5</dev/null 6</dev/null 7</dev/null 8</dev/null; exec "$@"`, "sh", BINARY, "node", kind, "--now"], {
        env: { ...process.env, SLAPOS_CONFIGURATION: node.cfg },
        stdout: "ignore",
        stderr: "ignore",
      });
      expect(await child.exited).toBe(0);
    }
    expect(readFileSync(join(node.softwarePath(url), "fds"), "utf8")).toBe("");
    expect(readFileSync(join(node.partition(0), "fds"), "utf8")).toBe("");
  });
});

describe("§3.10, §8.44 the requested-instance transaction", () => {
  test("§8.44 TestSlapgridCPWithTransaction.test_one_partition: the previous list is removed at processing; the new one goes with updateComputerPartitionRelatedInstanceList", async () => {
    const node = await Node.create();
    const file = ".slapos-request-transaction-slappart0";
    const url = release("transaction", {
      request: `recipe = plone.recipe.command\ncommand = test -e ${file} && cat ${file} > seen-before; printf 'child-a\\nchild-b\\n' >> ${file}\nupdate-command = \${:command}`,
    });
    await node.deploy(url);
    writeFileSync(join(node.partition(0), file), "stale\n");
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(existsSync(join(node.partition(0), "seen-before"))).toBe(false);
    const sent = run.calls.find((c) => c.path === "updateComputerPartitionRelatedInstanceList")!;
    expect(sent.method).toBe("POST");
    expect(sent.fields.computer_id).toBe(node.computerId);
    expect(sent.fields.computer_partition_id).toBe("slappart0");
    expect(loads(sent.fields.instance_reference_xml)).toEqual(["child-a", "child-b"]);
    // our master, like slapproxy, does not implement it: a warning, not a failure
    expect(run.stderr).toContain("Cannot send requested instance list to master");
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "startedComputerPartition", "updateComputerPartitionRelatedInstanceList"]);
  });

  test("§3.10 the request recipe records what it requested; the list goes to the master after the run", async () => {
    const node = await Node.create({ partitions: 2 });
    const url = release("requesting", {
      child: `recipe = slapos.cookbook:requestoptional
server-url = \${slap-connection:server-url}
computer-id = \${slap-connection:computer-id}
partition-id = \${slap-connection:partition-id}
software-url = \${slap-connection:software-release-url}
name = the-child
state = stopped`,
    });
    await node.deploy(url, "parent");
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    const sent = run.calls.filter((c) => c.path === "updateComputerPartitionRelatedInstanceList");
    expect(sent.map((c) => [c.fields.computer_partition_id, loads(c.fields.instance_reference_xml)])).toEqual([["slappart0", ["the-child"]]]);
    expect(readFileSync(join(node.partition(0), ".slapos-request-transaction-slappart0"), "utf8")).toBe("the-child\n");
  });

  test("§3.10 without a transaction file nothing is sent", async () => {
    const node = await Node.create();
    await node.deploy(release("no-transaction", { p: "recipe = plone.recipe.command\ncommand = true" }));
    const run = await node.node("instance");
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "startedComputerPartition"]);
    rmSync(join(node.partition(0), ".timestamp"));
  });
});
