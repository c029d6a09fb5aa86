/**
 * The entries of `.slapos-port-redirect` (node-runtime.md §3.12,
 * slapos.manager.portredir): each valid one becomes a socat command line,
 * each bad one a one-line warning and is skipped.
 */
import { isIPv4, isIPv6 } from "node:net";

/** One socat program of the `<PID>-socat` group. */
export interface SocatProgram {
  /** `socat-<type>-<srcPort>`: the program id and process name. */
  name: string;
  command: string;
  /** False below port 1024: the program runs as root to bind it. */
  asUser: boolean;
}

interface Address {
  version: 4 | 6;
  text: string;
}

/** An IP address as netaddr prints it (IPv6 compressed), or undefined when the value is not one. */
export function parseAddress(value: unknown): Address | undefined {
  if (typeof value !== "string") return undefined;
  if (isIPv4(value)) return { version: 4, text: value };
  if (!isIPv6(value) || value.includes("%")) return undefined;
  // an IPv4 tail (::ffff:1.2.3.4) is kept as written; the rest compressed as netaddr does
  const text = value.includes(".") ? value.toLowerCase() : new URL(`http://[${value}]/`).hostname.slice(1, -1);
  return { version: 6, text };
}

/** Python's int() of a JSON port, then within 1..65535 (the reference let socat fail on 0 or 70000). */
function parsePort(value: unknown): number | undefined {
  let port: number | undefined;
  if (typeof value === "number" && Number.isInteger(value)) port = value;
  else if (typeof value === "string" && /^\s*\+?\d+\s*$/.test(value)) port = Number.parseInt(value, 10);
  return port !== undefined && port >= 1 && port <= 65535 ? port : undefined;
}

/** The partition's first IPv6 address among `ip_list` then `full_ip_list` ([interface, address] pairs). */
export function firstIpv6(parameters: Record<string, unknown>): string | undefined {
  const pairs = [parameters.ip_list, parameters.full_ip_list].flatMap((list) => (Array.isArray(list) ? list : []));
  for (const pair of pairs) {
    const address = Array.isArray(pair) ? pair[1] : undefined;
    if (typeof address === "string" && address.includes(":")) return address;
  }
  return undefined;
}

function formatHost(address: Address): string {
  return address.version === 6 ? `[${address.text}]` : address.text;
}

/**
 * The socat programs of a redirection list, in file order; a later entry
 * with the same type and source port replaces an earlier one in its place
 * (the reference keys the group by program id). `warn` gets one line per
 * skipped entry.
 */
export function socatPrograms(entries: unknown[], socat: () => string, defaultDestination: string | undefined, warn: (message: string) => void): SocatProgram[] {
  const programs = new Map<string, SocatProgram>();
  entries.forEach((entry, index) => {
    const skip = (what: string) => warn(`entry ${index + 1}: ${what}; skipped`);
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return skip(`not an object: ${JSON.stringify(entry)}`);
    const fields = entry as Record<string, unknown>;
    const type = fields.type ?? "tcp";
    if (typeof type !== "string" || !["tcp", "udp"].includes(type.toLowerCase())) return skip(`bad redirection type ${JSON.stringify(type)} (tcp or udp)`);
    const sourcePort = parsePort(fields.srcPort);
    if (sourcePort === undefined) return skip(`bad srcPort ${JSON.stringify(fields.srcPort)}`);
    const source = fields.srcAddress === undefined || fields.srcAddress === null ? undefined : parseAddress(fields.srcAddress);
    if (fields.srcAddress !== undefined && fields.srcAddress !== null && !source) return skip(`bad srcAddress ${JSON.stringify(fields.srcAddress)}`);
    const destinationPort = parsePort(fields.destPort);
    if (destinationPort === undefined) return skip(`bad destPort ${JSON.stringify(fields.destPort)}`);
    const rawDestination = fields.destAddress ?? defaultDestination;
    const destination = parseAddress(rawDestination);
    if (!destination) {
      return skip(rawDestination === undefined ? "no destAddress and the partition has no IPv6 address" : `bad destAddress ${JSON.stringify(rawDestination)}`);
    }
    const kind = type.toUpperCase();
    // no srcAddress: listen on every IPv4 address, as the reference
    let listen = `${kind}${source?.version ?? 4}-LISTEN:${sourcePort}`;
    if (source) listen += `,bind=${source.text}`;
    const command = `${socat()} ${listen},fork ${kind}${destination.version}:${formatHost(destination)}:${destinationPort}`;
    const name = `socat-${type.toLowerCase()}-${sourcePort}`;
    programs.set(name, { name, command, asUser: sourcePort >= 1024 });
  });
  return [...programs.values()];
}
