/**
 * `Computer.update()` (§1.3 step 8): what the node tells the master about
 * itself — its software versions, its OS (`os_type`, as Python's
 * `platform.platform()` and the `distro` package write it) and its public
 * IPv4 as seen from outside.
 */
import { existsSync, readFileSync } from "node:fs";
import { arch, release } from "node:os";
import { VERSION } from "../../core/version.ts";
import { callAndRead, resolveBinary } from "./exec.ts";

function osRelease(): Record<string, string> {
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    if (!existsSync(path)) continue;
    const out: Record<string, string> = {};
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match) out[match[1]] = match[2].replace(/^(["'])(.*)\1$/, "$2");
    }
    return out;
  }
  return {};
}

function machine(): string {
  const names: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i686", arm: "armv7l" };
  return names[arch()] ?? arch();
}

function glibcVersion(): string | undefined {
  try {
    const report = (process as unknown as { report?: { getReport(): { header?: { glibcVersionRuntime?: string } } } }).report;
    return report?.getReport().header?.glibcVersionRuntime;
  } catch {
    return undefined;
  }
}

/** `platform.platform()` on Linux: `Linux-<release>-<machine>-with-glibc<version>`, cleaned as Python does. */
export function platformString(): string {
  const glibc = glibcVersion();
  const parts = ["Linux", release(), machine(), ...(glibc ? ["with", `glibc${glibc}`] : [])];
  let text = parts.filter((p) => p.length).map((p) => p.trim()).join("-");
  for (const char of [" ", "/", "\\", ":", ";", '"', "(", ")"]) text = text.replaceAll(char, char === " " ? "_" : "-");
  text = text.replaceAll("unknown", "");
  while (text.includes("--")) text = text.replaceAll("--", "-");
  return text.replace(/-+$/, "");
}

/** `json.dumps((platform.platform(), distro.id(), distro.version(), distro.name()))`. */
export function osType(): string {
  const os = osRelease();
  const values = [platformString(), (os.ID ?? "").toLowerCase(), os.VERSION_ID ?? "", os.NAME ?? ""];
  return `[${values.map((v) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)).join(", ")}]`;
}

/**
 * The version of the system's Python 3 (`/usr/bin/python3`, else the one
 * on PATH), the one a packaged slapos.core runs with; "" when there is none.
 */
export function pythonVersion(): string {
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : resolveBinary("python3");
  if (!python) return "";
  try {
    const { code, output } = callAndRead([python, "--version"], false);
    const match = /Python (\S+)/.exec(output);
    return code === 0 && match ? match[1] : "";
  } catch {
    return "";
  }
}

export const SLAPOS_VERSION = VERSION;

const PUBLIC_IP_SERVICES = [
  { url: "https://api.ipify.org/?format=json", key: "ip" },
  { url: "http://httpbin.org/ip", key: "origin" },
  { url: "http://jsonip.com", key: "ip" },
];

/**
 * `getPublicIPv4Address`: ask the three services (at once, 15 s each) and
 * keep the first answer that equals the previous successful one, in the
 * reference's order; null when they never agree.
 */
export async function publicIpv4(timeoutSeconds = 15): Promise<string | null> {
  const answers = await Promise.all(
    PUBLIC_IP_SERVICES.map(async ({ url, key }) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
        const value = ((await response.json()) as Record<string, unknown>)[key];
        return typeof value === "string" ? value : null;
      } catch {
        return null;
      }
    }),
  );
  let previous: string | null = null;
  for (const answer of answers) {
    if (answer !== null && answer === previous) return answer;
    if (answer !== null) previous = answer;
  }
  return null;
}
