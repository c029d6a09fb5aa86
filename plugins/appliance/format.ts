/**
 * `slapos node format --now` as a child of this binary, its log in the
 * node's log folder: 0 formatted and posted, 2 formatted while the master
 * was not up yet (configure local formats again once it answers). Any other
 * outcome is an error carrying the end of its output.
 */
import { join } from "node:path";
import { SlapError } from "../../core/errors.ts";
import { selfCommand } from "../../core/node/self.ts";
import type { Layout } from "./layout.ts";

export async function formatPartitions(layout: Layout): Promise<0 | 2> {
  const log = join(layout.logDir, "slapos-node-format.log");
  const child = Bun.spawn([...selfCommand(), "node", "format", "--now", "--cfg", layout.slaposCfg, "--log-file", log], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SLAPOS_CONFIGURATION: layout.slaposCfg },
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code === 0 || code === 2) return code;
  const tail = `${out}${err}`.trim().split("\n").slice(-10).join("\n");
  throw new SlapError("failure", `slapos node format failed (exit ${code}, log: ${log}):\n${tail}`);
}
