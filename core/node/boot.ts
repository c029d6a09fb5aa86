/**
 * `slapos node boot` (format-collect-cli.md §5.2, node-runtime.md §3.11),
 * run once at system start: wait for a global IPv6 on the node's interface,
 * run `slapos node format --now --verbose` until it succeeds (waiting for
 * the master when it could not post), bang the computer until the master
 * takes it, then delete every partition's `.timestamp` so that the next
 * `node instance` processes (and starts) every partition again.
 *
 * Differences from the reference, each on purpose:
 * - [BUG] fixed: `-m/--message` is sent (the reference always sends "Reboot").
 * - `--poll-interval` (5 s) and `--retry-interval` (15 s) are options (ours).
 * - An interface that does not exist yet is waited for (the reference crashes).
 * - The master counts as reachable when a TCP connection to its port opens
 *   or when it answers ping (the reference only pings, so a master behind a
 *   firewall that drops ICMP was waited for forever).
 */
import { existsSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { CommandContext, CommandDef } from "../cli/command.ts";
import { SlapError, messageOf } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { bangComputer, checkRootFromConfig, requiredKey } from "./bang.ts";
import { selfCommand } from "./self.ts";

/** A global-scope IPv6 as the reference's isGlobalScopeAddress sees it (netaddr: unicast, not link-local, loopback or reserved). */
export function isGlobalIpv6(first16: number): boolean {
  return (first16 >= 0x2000 && first16 <= 0x3fff) || (first16 >= 0xfc00 && first16 <= 0xfdff) || (first16 >= 0xfec0 && first16 <= 0xfeff);
}

/** The interface's state from /proc/net/if_inet6 (this network namespace's view). */
export function interfaceIpv6(name: string): { exists: boolean; global: boolean } {
  let table = "";
  try {
    table = readFileSync("/proc/net/if_inet6", "utf8");
  } catch {
    // No IPv6 in this kernel: no address will ever come.
  }
  let global = false;
  for (const line of table.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6 || fields[5] !== name) continue;
    if (isGlobalIpv6(parseInt(fields[0].slice(0, 4), 16))) global = true;
  }
  const exists = global || existsSync(`/sys/class/net/${name}`);
  return { exists, global };
}

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new SlapError("usage", `argument --${name}: invalid value: '${value}' (seconds, 0 or more)`);
  return n;
}

const sleep = (s: number) => Bun.sleep(s * 1000);

async function tcpOpens(host: string, port: number, timeoutSeconds: number): Promise<boolean> {
  // Imported here: every slapos start reads this file for the command table, and node:net is a big module.
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutSeconds * 1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function ping(host: string, family: 4 | 6, log: Logger): Promise<boolean> {
  const name = family === 4 ? "ipv4" : "ipv6";
  const argv = family === 4 ? ["ping", "-c", "2", host] : Bun.which("ping6") ? ["ping6", "-c", "2", host] : ["ping", "-6", "-c", "2", host];
  if (!Bun.which(argv[0])) return false;
  log.info(`[BOOT] Invoking ${name} ping to ${host}...`);
  const ok = (await Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "ignore" }).exited) === 0;
  if (ok) log.info(`[BOOT] ${family === 4 ? "IPv4" : "IPv6"} network reachable...`);
  else log.error(`[BOOT] ${family === 4 ? "IPv4" : "IPv6"} network unreachable...`);
  return ok;
}

/** Wait until the master's host can be reached: its port opens, or it answers ping (v4 or v6 as its address says, both for a name). */
async function waitForMaster(masterUrl: string, poll: number, log: Logger): Promise<void> {
  const url = new URL(masterUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const families: Array<4 | 6> = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? [4] : host.includes(":") ? [6] : [6, 4];
  for (let attempt = 0; ; attempt++) {
    if (await tcpOpens(host, port, 5)) return;
    if (await ping(host, families[attempt % families.length], log)) return;
    await sleep(poll);
  }
}

async function waitForIpv6(name: string, poll: number, log: Logger): Promise<void> {
  log.info(`[BOOT] Checking if '${name}' has IPv6...`);
  for (;;) {
    const state = interfaceIpv6(name);
    if (state.global) return;
    if (!state.exists) log.error(`[BOOT] Interface '${name}' does not exist (yet), try again in ${poll} seconds...`);
    else log.error(`[BOOT] No IPv6 found on interface '${name}', try again in ${poll} seconds...`);
    await sleep(poll);
  }
}

/** `slapos node format --cfg CFG --now --verbose`, as a child (format is a plugin's command); its exit code. */
async function runFormat(ctx: CommandContext, cfg: string): Promise<number> {
  const argv = [...selfCommand(), "node", "format", "--cfg", cfg, "--now", "--verbose"];
  if (ctx.globals.logFile) argv.push("--log-file", ctx.globals.logFile);
  if (ctx.globals.logTime) argv.push("--log-time");
  return Bun.spawn(argv, { stdin: "ignore", stdout: "inherit", stderr: "inherit" }).exited;
}

/** Delete `<instance_root>/<partition_base_name>*` `/.timestamp`. */
export function removeTimestamps(instanceRoot: string, baseName: string, log: Logger): void {
  let names: string[] = [];
  try {
    names = readdirSync(instanceRoot).sort();
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(baseName)) continue;
    const path = join(instanceRoot, name, ".timestamp");
    if (!existsSync(path)) continue;
    log.info(`Removing ${path}`);
    unlinkSync(path);
  }
}

async function runBoot(ctx: CommandContext): Promise<number> {
  const log = ctx.log.child("boot");
  const config = ctx.config;
  const cfg = ctx.configPath!;
  const poll = seconds(ctx.options["poll-interval"], "poll-interval", 5);
  const retry = seconds(ctx.options["retry-interval"], "retry-interval", 15);
  const message = String(ctx.options.message ?? "Reboot");
  const instanceRoot = requiredKey(config, "instance_root");
  const masterUrl = requiredKey(config, "master_url");
  const baseName = config.get("slapformat", "partition_base_name") ?? "slappart";
  checkRootFromConfig(config);

  const ipv6Interface = config.get("slapformat", "ipv6_interface") ?? config.get("slapformat", "interface_name");
  if (ipv6Interface !== undefined) await waitForIpv6(ipv6Interface, poll, log);

  for (;;) {
    log.info("[BOOT] Invoking slapos node format...");
    const code = await runFormat(ctx, cfg);
    if (code === 0) break;
    if (code === 2) {
      log.error("[BOOT] Fail to post format information, try again when connection to master is up...");
      await sleep(retry);
      await waitForMaster(masterUrl, poll, log);
      continue;
    }
    log.error(`[BOOT] Fail to format, try again in ${retry} seconds...`);
    await sleep(retry);
  }

  for (;;) {
    log.info("[BOOT] Invoking slapos node bang...");
    try {
      await bangComputer(config, message);
      break;
    } catch (error) {
      log.error(messageOf(error));
      log.error(`[BOOT] Fail to bang, try again in ${retry} seconds...`);
      await sleep(retry);
    }
  }

  removeTimestamps(instanceRoot, baseName, log);
  return 0;
}

export const bootCommand: CommandDef = {
  name: "node boot",
  group: "node",
  summary: "Test network and invoke simple format and bang (Use on Linux startup)",
  config: "node",
  options: {
    message: { type: "string", alias: ["-m"], default: "Reboot", help: "Message for bang" },
    "poll-interval": { type: "string", metavar: "SECONDS", help: "wait between checks of the IPv6 address and of the master (default: 5)" },
    "retry-interval": { type: "string", metavar: "SECONDS", help: "wait after a failed format or bang (default: 15)" },
  },
  run: runBoot,
};
