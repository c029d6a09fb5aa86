/**
 * Formatting from code (what the node loop and `configure local` call):
 * `formatNode` runs the same format as the command, without delay.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { configureLogging, logSettings } from "../../../core/log/logger.ts";
import { formatConfig, formatNode, FormatUsageError, standaloneDefinition } from "../../../plugins/format/api.ts";
import { HANDS_OFF_FORMAT, cleanUpAfterFile, tempDir, writeConfig } from "./helpers.ts";

cleanUpAfterFile();
const logging = { ...logSettings() };
configureLogging({ level: "CRITICAL" });
afterAll(() => configureLogging(logging));

function standalone(dir: string, masterUrl: string, slapformat: Record<string, string> = {}): SlapConfig {
  writeFileSync(join(dir, "definition.cfg"), standaloneDefinition({ partitionCount: 2, ipv4: "127.0.0.1", ipv6: "::1", user: "root" }));
  return SlapConfig.load(
    writeConfig(dir, {
      slapos: { software_root: join(dir, "soft"), instance_root: join(dir, "inst"), master_url: masterUrl, computer_id: "COMP-API", root_check: "False" },
      slapformat: {
        input_definition_file: join(dir, "definition.cfg"),
        partition_amount: "2",
        ...HANDS_OFF_FORMAT,
        computer_xml: join(dir, "slapos.xml"),
        ...slapformat,
      },
    }),
  );
}

describe("formatNode", () => {
  test("formats and posts without the random delay: 0", async () => {
    const bodies: string[] = [];
    const master = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (r) => (bodies.push(await r.text()), new Response("done")) });
    try {
      const dir = tempDir();
      expect(await formatNode(standalone(dir, `http://127.0.0.1:${master.port}`))).toBe(0);
      expect(bodies.at(-1)).toStartWith("xml=%3Cmarshal%3E");
      expect(readdirSync(join(dir, "inst")).sort()).toEqual(["slappart0", "slappart1"]);
    } finally {
      master.stop(true);
    }
  });

  test("an unreachable master gives 2, the computer stored", async () => {
    const dir = tempDir();
    expect(await formatNode(standalone(dir, "http://127.0.0.1:1"))).toBe(2);
    expect(existsSync(join(dir, "slapos.xml"))).toBe(true);
  });

  test("bad options throw a one-line FormatUsageError before anything is touched", async () => {
    const dir = tempDir();
    const config = standalone(dir, "http://127.0.0.1:1", { alter_user: "perhaps" });
    expect(() => formatConfig(config)).toThrow(FormatUsageError);
    await expect(formatNode(config)).rejects.toThrow(`Option 'alter_user' needs to be "True" or "False", wrong value: 'perhaps'`);
    expect(readdirSync(dir).sort()).toEqual(["definition.cfg", "slapos.cfg"]);
  });
});
