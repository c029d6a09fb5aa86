/**
 * static-network — an example third-party network backend for
 * `slapos node format`: partition addresses come from a table file (what
 * an IPAM, a hosting provider or a site's network plan hands out) instead
 * of being derived from the interface and added with `ip`. One file that
 * imports nothing from slapos, loaded by naming it in slapos.cfg:
 *
 *     [slapos]
 *     plugin_list = /opt/slapos/plugins/static-network.ts
 *
 *     [plugin:static-network]
 *     table = /etc/opt/slapos/addresses.table
 *     # true: every address format asks for must be in the table
 *     strict = false
 *
 * The table, one address a line (`#` starts a comment):
 *
 *     # kind          partition   address               netmask
 *     computer        -           2001:db8:100::1       ffff:ffff:ffff:ffff::
 *     ipv4            slappart0   192.0.2.10            255.255.255.255
 *     ipv6            slappart0   2001:db8:100::10      ffff:ffff:ffff:ffff::
 *     ipv6-range      slappart0   2001:db8:100:10::     ffff:ffff:ffff:ffff::
 *
 * Kinds: computer, ipv4, ipv6, ipv6-range, tap-ipv6, tun-ipv6-range (the
 * `format.allocateAddress` request kinds). The plugin taps
 * `format.allocateAddress` at the default stage, before the built-in `ip`
 * backend (stage 100): what the table has wins; what it lacks is left to the
 * built-in backend, or is an error with `strict = true`. The table's
 * addresses are not added to any interface — they are configured outside
 * slapos (the provider routes them, the OS network configuration holds
 * them) — so the plugin also answers the `prepare` step of
 * `format.configureNetwork` (where the built-in backend would re-add stored
 * addresses). Taps, tuns and routes stay with the built-in backend.
 */
import { readFileSync } from "node:fs";

// The parts of the hook contract this plugin uses (slapos core/hooks/groups/format.ts), written out
// here so that the file stands alone.
type Kind = "computer" | "computer-readd" | "ipv4" | "ipv6" | "ipv6-range" | "tap-ipv4" | "tap-ipv6" | "tun-ipv6-range";
interface AddressRequest {
  kind: Kind;
  partition?: { reference: string };
  stored?: { addr: string; netmask: string };
}
interface Allocated {
  addr: string;
  netmask: string;
  prefixlen?: number;
  network?: string;
}
interface BailHook<I, R> {
  tapPromise(name: string, fn: (input: I) => Promise<R | undefined>): void;
}
interface FormatHooks {
  format: {
    allocateAddress: BailHook<AddressRequest, Allocated>;
    configureNetwork: BailHook<{ kind: string }, true>;
  };
}
interface Context {
  options: Record<string, string>;
  log: { debug(message: string): void };
}

const NAME = "static-network";
const KINDS = new Set(["computer", "ipv4", "ipv6", "ipv6-range", "tap-ipv6", "tun-ipv6-range"]);
const RANGES = new Set(["ipv6-range", "tun-ipv6-range"]);

/** Number of leading one bits of a netmask (255.255.255.0 → 24, ffff:ffff:: → 32); -1 when it is not a netmask. */
function netmaskLength(netmask: string): number {
  let bits = "";
  if (netmask.includes(".")) {
    const parts = netmask.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return -1;
    bits = parts.map((p) => p.toString(2).padStart(8, "0")).join("");
  } else {
    const [head, tail] = netmask.split("::");
    const groups = (text: string | undefined) => (text ? text.split(":") : []);
    const missing = 8 - groups(head).length - groups(tail).length;
    if (netmask.split("::").length > 2 || (tail === undefined && missing !== 0) || missing < 0) return -1;
    const all = [...groups(head), ...Array(tail === undefined ? 0 : missing).fill("0"), ...groups(tail)];
    if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return -1;
    bits = all.map((g) => parseInt(g, 16).toString(2).padStart(16, "0")).join("");
  }
  const length = bits.indexOf("0") < 0 ? bits.length : bits.indexOf("0");
  return bits.slice(length).includes("1") ? -1 : length;
}

/** Read the table: `kind partition` → address. A bad line is an error naming file and line. */
function readTable(path: string): Map<string, Allocated> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read the address table ${path}: ${(error as Error).message}`);
  }
  const table = new Map<string, Allocated>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const where = `${path}:${index + 1}`;
    const [kind, partition, addr, netmask, ...extra] = line.split(/\s+/);
    if (!netmask || extra.length) throw new Error(`${where}: expected "kind partition address netmask", got ${JSON.stringify(line)}`);
    if (!KINDS.has(kind)) throw new Error(`${where}: unknown kind ${JSON.stringify(kind)} (one of ${[...KINDS].join(", ")})`);
    const prefixlen = netmaskLength(netmask);
    if (prefixlen < 0) throw new Error(`${where}: ${JSON.stringify(netmask)} is not a netmask`);
    if ((kind === "ipv4") !== netmask.includes(".") || (kind === "ipv4") !== addr.includes(".")) {
      throw new Error(`${where}: ${kind} needs ${kind === "ipv4" ? "an IPv4" : "an IPv6"} address and netmask`);
    }
    const key = `${kind} ${kind === "computer" ? "-" : partition}`;
    if (table.has(key)) throw new Error(`${where}: a second ${key} line`);
    table.set(key, RANGES.has(kind) ? { addr, netmask, prefixlen, network: `${addr}/${prefixlen}` } : { addr, netmask });
  });
  return table;
}

export default {
  name: NAME,
  version: "1.0.0",
  apiVersion: "^1.0.0",
  apply(hooks: FormatHooks, ctx: Context) {
    const path = ctx.options.table?.trim();
    if (!path) throw new Error(`[plugin:${NAME}] table is not set`);
    const strict = /^(1|yes|true|on)$/i.test(ctx.options.strict?.trim() ?? "");
    let table: Map<string, Allocated> | undefined;
    // Read on first use: commands that never format do not need the file.
    const lookup = (key: string) => (table ??= readTable(path)).get(key);

    hooks.format.allocateAddress.tapPromise(NAME, async (request) => {
      const kind = request.kind === "computer-readd" ? "computer" : request.kind;
      const key = `${kind} ${kind === "computer" ? "-" : request.partition?.reference}`;
      const found = lookup(key);
      if (found) {
        ctx.log.debug(`${key}: ${found.addr} from ${path}`);
        return found;
      }
      if (strict) throw new Error(`no ${kind} address for ${kind === "computer" ? "the computer" : request.partition?.reference} in ${path}`);
      return undefined;
    });
    hooks.format.configureNetwork.tapPromise(NAME, async (action) => (action.kind === "prepare" ? true : undefined));
  },
};
