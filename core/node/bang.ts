/**
 * `slapos node bang [-m MESSAGE]` (node-runtime.md §3.11, format-collect-
 * cli.md §7.4): `POST <master_url>/computerBang` with `computer_id` and
 * `message`, authenticated with the node's certificate (`[slapos]
 * key_file`, `cert_file`). Prints `Banging to '<url>'` and `Bang with
 * message '<message>'` on stdout, as the reference does. No pidfile.
 */
import type { CommandContext, CommandDef } from "../cli/command.ts";
import type { SlapConfig } from "../config/slap-config.ts";
import { SlapError } from "../errors.ts";

/** ConfigParser's getboolean: 1/yes/true/on and 0/no/false/off, any case. */
export function configBoolean(config: SlapConfig, section: string, key: string, fallback: boolean): boolean {
  const value = config.get(section, key);
  if (value === undefined) return fallback;
  const word = value.trim().toLowerCase();
  if (["1", "yes", "true", "on"].includes(word)) return true;
  if (["0", "no", "false", "off"].includes(word)) return false;
  throw new SlapError("config", `[${section}] ${key} must be a boolean (true/false, yes/no, on/off, 1/0), not ${JSON.stringify(value)}`);
}

/** A `[slapos]` key the command cannot do without. */
export function requiredKey(config: SlapConfig, key: string): string {
  const value = config.get("slapos", key)?.trim();
  if (!value) throw new SlapError("config", `[slapos] ${key} is missing in ${config.path ?? "the configuration"}`);
  return value;
}

/** The root check of node bang and node boot: `[slapos] root_check`, default true; exit 5. */
export function checkRootFromConfig(config: SlapConfig): void {
  if (configBoolean(config, "slapos", "root_check", true) && process.getuid?.() !== 0) {
    throw new SlapError("not-root", "This slapos command must be run as root.");
  }
}

/** Bang the computer; `message` undefined is sent as the reference sends None. */
export async function bangComputer(config: SlapConfig, message: string | undefined): Promise<void> {
  const computerId = requiredKey(config, "computer_id");
  const masterUrl = requiredKey(config, "master_url");
  const optional = (key: string) => config.get("slapos", key)?.trim() || undefined;
  const [{ SlapClient }, { reprString }] = await Promise.all([import("../slap/client.ts"), import("../slap/python-repr.ts")]);
  const client = new SlapClient({
    masterUrl,
    keyFile: optional("key_file"),
    certFile: optional("cert_file"),
    caFile: optional("master_ca_file"),
  });
  process.stdout.write(`Banging to ${reprString(masterUrl)}\n`);
  await client.computerBang(computerId, message ?? "None");
  process.stdout.write(`Bang with message ${message === undefined ? "None" : reprString(message)}\n`);
}

export const bangCommand: CommandDef = {
  name: "node bang",
  group: "node",
  summary: "request update on all partitions",
  config: "node",
  options: {
    message: { type: "string", alias: ["-m"], help: "Message for bang" },
  },
  async run(ctx: CommandContext) {
    checkRootFromConfig(ctx.config);
    await bangComputer(ctx.config, ctx.options.message === undefined ? undefined : String(ctx.options.message));
    return 0;
  },
};
