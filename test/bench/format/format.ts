/**
 * How long `slapos node format` takes in definition-file mode (the mode
 * StandaloneSlapOS and `configure local` use), for 20 and 200 partitions:
 * the first run (folders and files created) and reruns (nothing changes),
 * through the compiled binary, posting to a loopback master.
 *
 *     installer/build && bun test/bench/format/format.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { standaloneDefinition } from "../../../plugins/format/definition.ts";

const BINARY = resolve(import.meta.dir, "../../../dist/slapos");
const RERUNS = 7;

const master = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (r) => (await r.text(), new Response("done")) });

function setUp(count: number): { dir: string; cfg: string } {
  const dir = mkdtempSync(join(tmpdir(), "slapos-bench-format-"));
  writeFileSync(
    join(dir, "definition.cfg"),
    standaloneDefinition({ partitionCount: count, ipv4: "127.0.0.1", ipv6: (i) => `fd00:1::${(i + 2).toString(16)}`, user: userInfo().username }),
  );
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(
    cfg,
    `[slapos]\nsoftware_root = ${dir}/soft\ninstance_root = ${dir}/inst\nmaster_url = http://127.0.0.1:${master.port}\n` +
      `master_rest_url = http://127.0.0.1:${master.port}/hateoas\ncomputer_id = local\nroot_check = False\n\n` +
      `[slapformat]\ninput_definition_file = ${dir}/definition.cfg\npartition_amount = ${count}\nalter_user = false\n` +
      `alter_network = false\ncreate_tap = false\ncreate_tun = false\ncomputer_xml = ${dir}/slapos.xml\n` +
      `partition_has_ipv6_range = false\npublic_ipv4_lookup = false\n`,
  );
  return { dir, cfg };
}

async function timeRun(cfg: string): Promise<number> {
  const start = performance.now();
  const child = Bun.spawn([BINARY, "node", "format", "--now", "--cfg", cfg], { stdout: "ignore", stderr: "ignore" });
  const code = await child.exited;
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`format exited ${code}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const rows: string[] = [];
for (const count of [20, 200]) {
  const firsts: number[] = [];
  const reruns: number[] = [];
  for (let round = 0; round < 3; round++) {
    const { dir, cfg } = setUp(count);
    firsts.push(await timeRun(cfg));
    for (let i = 0; i < RERUNS; i++) reruns.push(await timeRun(cfg));
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push(`| ${count} | ${median(firsts).toFixed(0)} ms | ${median(reruns).toFixed(0)} ms |`);
}
master.stop(true);

console.log("slapos node format --now, definition-file mode, through dist/slapos (median):\n");
console.log("| partitions | first run | rerun |");
console.log("|---|---|---|");
for (const row of rows) console.log(row);
