/**
 * Root mode with systemd: the installer's units (installer/files, bundled
 * into the binary) run the master, the supervisor and the node loop, and
 * node boot at system start. The units name the binary and the
 * configuration folder this node uses.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../core/errors.ts";
import boot from "../../installer/files/etc/systemd/system/slapos-node-boot.service" with { type: "text" };
import supervisord from "../../installer/files/etc/systemd/system/slapos-node-supervisord.service" with { type: "text" };
import node from "../../installer/files/etc/systemd/system/slapos-node.service" with { type: "text" };
import proxy from "../../installer/files/etc/systemd/system/slapos-proxy.service" with { type: "text" };
import type { Writer } from "./writer.ts";

export const SYSTEMD_DIR = "/etc/systemd/system";

/** The units that run all the time, in start order. */
export const SERVICES = ["slapos-proxy.service", "slapos-node-supervisord.service", "slapos-node.service"];

const UNITS: Record<string, string> = {
  "slapos-proxy.service": proxy,
  "slapos-node-supervisord.service": supervisord,
  "slapos-node.service": node,
  "slapos-node-boot.service": boot,
};

/** As install.sh decides it: /run/systemd/system exists and systemctl is there. */
export function systemdRunning(): boolean {
  return existsSync("/run/systemd/system") && Bun.which("systemctl") !== null;
}

/** The units, naming `binary` and `configDir` instead of the installer's paths. */
export function unitTexts(binary: string, configDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(UNITS)) {
    out[name] = text.replaceAll("/opt/slapos/bin/slapos", binary).replaceAll("/etc/opt/slapos", configDir);
  }
  return out;
}

async function systemctl(...args: string[]): Promise<void> {
  const child = Bun.spawn(["systemctl", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [err, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new SlapError("failure", `systemctl ${args.join(" ")} failed (exit ${code}): ${err.trim()}`);
}

/** Write the units; reload systemd when one changed; enable them; start them, restarting those whose configuration changed. */
export async function installUnits(writer: Writer, binary: string, configDir: string, restart: boolean): Promise<void> {
  const before = writer.changes.length;
  for (const [name, text] of Object.entries(unitTexts(binary, configDir))) writer.file(join(SYSTEMD_DIR, name), text);
  if (writer.changes.length > before) await systemctl("daemon-reload");
  await systemctl("enable", ...SERVICES, "slapos-node-boot.service");
  if (restart) await systemctl("try-restart", ...SERVICES);
  await systemctl("start", ...SERVICES);
}

/** Stop the node's services (the supervisor stops the partitions' processes). */
export async function stopUnits(): Promise<void> {
  await systemctl("stop", ...[...SERVICES].reverse());
}

/** `systemctl is-active UNIT` is 0. */
export async function unitActive(name: string): Promise<boolean> {
  return (await Bun.spawn(["systemctl", "is-active", "--quiet", name], { stdin: "ignore", stdout: "ignore", stderr: "ignore" }).exited) === 0;
}
