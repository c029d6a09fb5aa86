/** Our supervisorctl's interactive shell reads actions from stdin like the stock one (prompt, status first, EOF). */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../../helpers/binary.ts";
import { makeInstance, normalize, program, startDaemon, waitState } from "./helpers.ts";

const instance = makeInstance();

async function shell(argv: string[], input: string): Promise<string> {
  const child = Bun.spawn(argv, { stdin: new TextEncoder().encode(input), stdout: "pipe", stderr: "pipe" });
  const [stdout] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  return stdout;
}

beforeAll(async () => {
  writeFileSync(join(instance.confDir, "a.conf"), program(instance, "a", "/bin/sleep 1000"));
  await startDaemon(instance);
  await waitState(instance, "a", "RUNNING");
});

describe("interactive shell", () => {
  test("piped actions give the same transcript as the stock supervisorctl's", async () => {
    const input = "pid a\nstatus nosuch\nversion\nbogus\n";
    const stock = await shell(["unshare", "-n", "supervisorctl", "-c", instance.conf], input);
    const ours = await shell([BINARY, "node", "supervisorctl", "-c", instance.conf], input);
    expect(normalize(ours)).toBe(normalize(stock));
    expect(ours).toContain("supervisor> nosuch: ERROR (no such process)\n");
  });
});
