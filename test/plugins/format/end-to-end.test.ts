/**
 * Format against our own embedded master (`slapos proxy start`), both from
 * the compiled binary: the master then knows the computer's partitions and
 * their addresses.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapClient } from "../../../core/slap/client.ts";
import { standaloneDefinition } from "../../../plugins/format/definition.ts";
import { slapos, startSlapos } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { HANDS_OFF_FORMAT, cleanUpAfterFile, tempDir, writeConfig } from "./helpers.ts";

cleanUpAfterFile();

describe("format → embedded master", () => {
  let dir: string;
  let cfg: string;
  let port: number;
  let master: ReturnType<typeof startSlapos>;

  beforeAll(async () => {
    dir = tempDir();
    port = await freePort();
    const definition = join(dir, "slapformat-definition.cfg");
    writeFileSync(
      definition,
      standaloneDefinition({ partitionCount: 3, ipv4: "127.0.0.1", ipv6: (i) => `fd00:e2e::${i + 2}`, ipv6Range: (i) => `fd00:e2e:0:${i + 1}::/64`, user: "root" }),
    );
    cfg = writeConfig(dir, {
      slapos: {
        software_root: join(dir, "soft"),
        instance_root: join(dir, "inst"),
        master_url: `http://127.0.0.1:${port}`,
        computer_id: "COMP-E2E",
        root_check: "False",
      },
      slapformat: {
        input_definition_file: definition,
        partition_amount: 3,
        ...HANDS_OFF_FORMAT,
        computer_xml: join(dir, "slapos.xml"),
      },
      slapproxy: { host: "127.0.0.1", port, database_uri: join(dir, "proxy.db") },
    });
    master = startSlapos(["proxy", "start", "--cfg", cfg]);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/getHateoasUrl`)).status > 0, 30, "the embedded master");
  });

  afterAll(async () => {
    master.kill();
    await master.exited;
  });

  test("slapos node format posts the computer (exit 0); getFullComputerInformation then lists its partitions", async () => {
    const r = await slapos(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(0);
    const computer = await new SlapClient({ masterUrl: `http://127.0.0.1:${port}` }).getFullComputerInformation("COMP-E2E");
    expect(computer.getComputerPartitionList().map((p) => p.getId()).sort()).toEqual(["slappart0", "slappart1", "slappart2"]);
  });

  test("a second format with more partitions adds them on the master too", async () => {
    writeFileSync(
      join(dir, "slapformat-definition.cfg"),
      standaloneDefinition({ partitionCount: 4, ipv4: "127.0.0.1", ipv6: (i) => `fd00:e2e::${i + 2}`, user: "root" }),
    );
    const text = await Bun.file(cfg).text();
    writeFileSync(cfg, text.replace("partition_amount = 3", "partition_amount = 4"));
    const r = await slapos(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(0);
    const computer = await new SlapClient({ masterUrl: `http://127.0.0.1:${port}` }).getFullComputerInformation("COMP-E2E");
    expect(computer.getComputerPartitionList().map((p) => p.getId()).sort()).toEqual(["slappart0", "slappart1", "slappart2", "slappart3"]);
  });
});
