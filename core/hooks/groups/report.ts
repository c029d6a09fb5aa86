/** Hooks of `slapos node report`, usage collection and the watchdog. */
import { bail, series, waterfall } from "../declare.ts";
import type { PartitionJob } from "./instance.ts";

export interface UsageDocument {
  /** Where it came from (partition id, or "computer"). */
  source: string;
  /** TIO XML text. */
  xml: string;
}

export function createReportHooks() {
  return {
    report: {
      scripts: series<PartitionJob>("run a partition's etc/report scripts"),
      usage: waterfall<UsageDocument[]>("usage documents to send → documents"),
      aggregate: waterfall<string>("the journal XML sent to the master → XML"),
      send: bail<{ xml: string; computerId: string }, boolean>(
        "send a usage journal; return true when a sink took it (the master is the default sink)",
      ),
      partition: series<PartitionJob>("a destroyed partition is about to be cleaned (manager.report)"),
      canDestroy: bail<{ partition: PartitionJob }, boolean>("return false to postpone destruction"),
      destroy: series<PartitionJob>("clean a destroyed partition (sbin/destroy, supervisor, folder)"),
    },
    collect: {
      sample: waterfall<Record<string, unknown>>("one collect sample → sample, before it is stored"),
    },
    watchdog: {
      event: bail<{ eventName: string; headers: Record<string, string>; payload: string }, boolean>(
        "a supervisor event; return true when handled",
      ),
      bang: series<{ partitionId: string; message: string }>("bang the master for a partition"),
    },
  };
}
