/**
 * The watchdog's bang rules (slapos/grid/watchdog.py): a watched service
 * (`-on-watch` in its process name) that EXITED or went FATAL bangs the
 * master for its partition (= its group), at most once per successful
 * deployment: `.slapos_latest_bang_timestamp` holds the `.timestamp` of the
 * deployment that already banged.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const TIMESTAMP_FILE = ".timestamp";
export const BANG_TIMESTAMP_FILE = ".slapos_latest_bang_timestamp";
export const WATCHED_EVENTS = ["PROCESS_STATE_EXITED", "PROCESS_STATE_FATAL"];
export const WATCHDOG_MARK = "-on-watch";

/**
 * Has this partition banged since its last successful deployment?
 * [BUG] fixed: the reference parses both files with int(), which raises on
 * the float timestamps slapproxy writes (`1700000000.123`) and kills the
 * watchdog; we compare them as numbers.
 */
export function alreadyBanged(instanceRoot: string | undefined, partitionId: string): boolean {
  if (!instanceRoot) return false;
  const home = join(instanceRoot, partitionId);
  const lastBang = join(home, BANG_TIMESTAMP_FILE);
  const deployed = join(home, TIMESTAMP_FILE);
  if (!existsSync(lastBang)) return false;
  if (!existsSync(deployed)) return true;
  const bang = Number(readFileSync(lastBang, "utf8").trim());
  const deployment = Number(readFileSync(deployed, "utf8").trim());
  if (Number.isNaN(bang) || Number.isNaN(deployment)) return false;
  return !(deployment > bang);
}

/** Remember the deployment that banged: a copy of `.timestamp`, or `0` when there is none. */
export function recordBang(instanceRoot: string | undefined, partitionId: string): void {
  if (!instanceRoot) return;
  const home = join(instanceRoot, partitionId);
  const deployed = join(home, TIMESTAMP_FILE);
  const timestamp = existsSync(deployed) ? readFileSync(deployed, "utf8") : "0";
  writeFileSync(join(home, BANG_TIMESTAMP_FILE), timestamp);
}

export interface MasterBang {
  masterUrl: string;
  computerId: string;
  certificateRepositoryPath?: string;
}

/** POST /softwareInstanceBang with the partition's certificate (the master's TLS is not verified, as in the reference). */
export async function sendBang(master: MasterBang, partitionId: string, message: string): Promise<void> {
  const base = master.masterUrl.endsWith("/") ? master.masterUrl : `${master.masterUrl}/`;
  const url = new URL("softwareInstanceBang", base);
  const body = new URLSearchParams({ computer_id: master.computerId, computer_partition_id: partitionId, message });
  const tls: Record<string, unknown> = { rejectUnauthorized: false };
  if (master.certificateRepositoryPath) {
    tls.cert = readFileSync(join(master.certificateRepositoryPath, `${partitionId}.crt`), "utf8");
    tls.key = readFileSync(join(master.certificateRepositoryPath, `${partitionId}.key`), "utf8");
  }
  const response = await fetch(url, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "*/*" },
    signal: AbortSignal.timeout(60_000),
    tls,
  } as RequestInit);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`master answered ${response.status} to softwareInstanceBang: ${text.slice(0, 200)}`);
}
