/**
 * The sys.path of a list of eggs, as zc.buildout's working_set computes it
 * from the eggs and develop-eggs folders (offline): each requirement is
 * found as `Name-version-pyX.Y*.egg` (highest version) or as a develop
 * `Name.egg-link`, and its `requires.txt` dependencies follow, depth first.
 * Environment markers are evaluated for the egg's Python version.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { evaluateMarker, MARKER_VARIABLES } from "../../lang/condition-marker.ts";

/** pkg_resources.safe_name, lowercased for comparison. */
export function normaliseName(name: string): string {
  return name.replace(/[^A-Za-z0-9.]+/g, "-").replace(/[-_.]+/g, "-").toLowerCase();
}

interface Distribution {
  name: string;
  version: string;
  location: string;
  requiresFile?: string;
  python?: string;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function scan(eggsDirectory: string, developDirectory: string): Map<string, Distribution> {
  const found = new Map<string, Distribution>();
  if (developDirectory && existsSync(developDirectory)) {
    for (const entry of readdirSync(developDirectory)) {
      if (!entry.endsWith(".egg-link")) continue;
      const location = readFileSync(join(developDirectory, entry), "utf8").split("\n")[0]!.trim();
      const name = entry.slice(0, -".egg-link".length);
      const info = existsSync(location) ? readdirSync(location).find((x) => x.endsWith(".egg-info")) : undefined;
      found.set(normaliseName(name), { name, version: "0dev", location, requiresFile: info ? join(location, info, "requires.txt") : undefined });
    }
  }
  if (eggsDirectory && existsSync(eggsDirectory)) {
    for (const entry of readdirSync(eggsDirectory)) {
      const m = /^([^-]+)-([^-]+)(?:-py(\d+\.\d+))?.*\.egg$/.exec(entry);
      if (!m) continue;
      const key = normaliseName(m[1]!);
      if (found.has(key) && found.get(key)!.version === "0dev") continue;
      const location = join(eggsDirectory, entry);
      const dist: Distribution = {
        name: m[1]!,
        version: m[2]!,
        location,
        python: m[3],
        requiresFile: statSync(location).isDirectory() ? join(location, "EGG-INFO", "requires.txt") : undefined,
      };
      const previous = found.get(key);
      if (!previous || compareVersions(dist.version, previous.version) > 0) found.set(key, dist);
    }
  }
  return found;
}

/** Whether a PEP 508 marker holds for an egg built for `python` (X.Y); what is not a marker holds. */
function markerHolds(marker: string, python: string): boolean {
  return evaluateMarker(marker, { ...MARKER_VARIABLES, python_version: python, python_full_version: python + ".0" }) ?? true;
}

function requirements(dist: Distribution, python: string): string[] {
  if (!dist.requiresFile || !existsSync(dist.requiresFile)) return [];
  const out: string[] = [];
  let active = true;
  for (const raw of readFileSync(dist.requiresFile, "utf8").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const [extra = "", marker] = section[1]!.split(":", 2);
      active = extra === "" && (marker === undefined || markerHolds(marker, dist.python ?? python));
      continue;
    }
    if (!active) continue;
    const [requirement, marker] = line.split(";", 2);
    if (marker && !markerHolds(marker, dist.python ?? python)) continue;
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(requirement!.trim())?.[0];
    if (name) out.push(name);
  }
  return out;
}

/** Locations of the eggs and their dependencies, requested ones first; missing eggs are skipped. */
export function eggPaths(eggs: string[], eggsDirectory: string, developDirectory: string, python = "3.11"): string[] {
  const available = scan(eggsDirectory, developDirectory);
  const seen = new Set<string>();
  const paths: string[] = [];
  const visit = (name: string) => {
    const key = normaliseName(name.replace(/\[.*$/, ""));
    if (seen.has(key)) return;
    seen.add(key);
    const dist = available.get(key);
    if (!dist) return;
    paths.push(dist.location);
    for (const dependency of requirements(dist, python)) visit(dependency);
  };
  for (const egg of eggs) visit(/^[A-Za-z0-9][A-Za-z0-9._\[\],-]*/.exec(egg.trim())?.[0] ?? egg);
  return paths;
}
