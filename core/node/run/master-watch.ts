/**
 * The loop's eye on the master: one getFullComputerInformation every few
 * seconds (the call every node instance run makes anyway), reduced to what
 * decides work — each supplied software release and its requested state,
 * each partition's requested state, software release and timestamp. A
 * difference from the previous look says which runs to start at once.
 * Other fields (status texts the master updates after each run) are left
 * out, or every run would trigger the next. A master that does not answer
 * is looked at less and less often (1 s, 2 s, 4 s, ... with jitter, up to a limit).
 */
import type { SlapClient } from "../../slap/client.ts";
import type { Computer } from "../../slap/objects.ts";
import type { TaskKind } from "./settings.ts";

interface Fingerprint {
  software: Map<string, string>;
  partitions: Map<string, { state: string; free: boolean; text: string }>;
}

function fingerprintOf(computer: Computer): Fingerprint {
  const software = new Map<string, string>();
  for (const release of computer.getSoftwareReleaseList()) {
    try {
      software.set(release.getURI(), release.getState());
    } catch {
      // a release without URL: nothing a run could do with it
    }
  }
  const partitions = new Map<string, { state: string; free: boolean; text: string }>();
  for (const partition of computer.getComputerPartitionList()) {
    let id: string;
    try {
      id = partition.getId();
    } catch {
      continue;
    }
    const raw = partition.raw.state;
    const state = typeof raw._requested_state === "string" ? raw._requested_state : "";
    let url = "";
    try {
      url = partition.getSoftwareReleaseUrl() ?? "";
    } catch {
      url = "";
    }
    const timestamp = partition.getInstanceParameterDict().timestamp;
    partitions.set(id, { state, free: state === "destroyed" && !url, text: `${state}|${url}|${String(timestamp ?? "")}` });
  }
  return { software, partitions };
}

/** Which runs a change between two looks calls for. */
function runsFor(before: Fingerprint, after: Fingerprint): TaskKind[] {
  const runs = new Set<TaskKind>();
  const sameMap = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  if (!sameMap(before.software, after.software)) runs.add("software");
  for (const [id, now] of after.partitions) {
    const was = before.partitions.get(id);
    if (was?.text === now.text) continue;
    if (!was && now.free) continue; // a new free partition: nothing to do
    runs.add("instance");
    if (now.state === "destroyed" && was && was.state !== "destroyed") runs.add("report");
  }
  for (const id of before.partitions.keys()) if (!after.partitions.has(id)) runs.add("instance");
  return [...runs];
}

export interface Look {
  /** The master answered this time. */
  up: boolean;
  /** It answers again after failing. */
  recovered: boolean;
  /** Runs the change since the previous look calls for (none on the first look). */
  runs: TaskKind[];
  /** Why it did not answer. */
  error?: string;
  /** Seconds until the next look. */
  next: number;
}

export class MasterWatch {
  private previous?: Fingerprint;
  private failures = 0;
  /** "unknown" until the first look. */
  state: "unknown" | "up" | "down" = "unknown";

  constructor(
    private readonly client: SlapClient,
    private readonly computerId: string,
    private readonly poll: number,
    private readonly maxBackoff: number,
  ) {}

  async look(): Promise<Look> {
    let computer: Computer;
    try {
      computer = await this.client.getFullComputerInformation(this.computerId);
    } catch (error) {
      this.failures++;
      this.state = "down";
      // 1 s, 2 s, 4 s, ... up to the limit: a master that is starting is seen at once, one that is down is left alone.
      const delay = Math.min(2 ** (this.failures - 1), this.maxBackoff);
      return { up: false, recovered: false, runs: [], error: (error as Error).message, next: delay * (0.8 + 0.4 * Math.random()) };
    }
    const recovered = this.failures > 0;
    this.failures = 0;
    this.state = "up";
    const now = fingerprintOf(computer);
    const runs = this.previous ? runsFor(this.previous, now) : [];
    this.previous = now;
    return { up: true, recovered, runs, next: this.poll };
  }
}
