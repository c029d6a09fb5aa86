/** Hooks of the embedded master (`slapos proxy start`). */
import { bail, series, waterfall } from "../declare.ts";

export interface AllocationInput {
  computerId: string;
  softwareRelease: string;
  softwareType: string;
  partitionReference: string;
  shared: boolean;
  filter: Record<string, unknown>;
  /** Free partitions the master would choose from, in allocation (rowid) order. */
  candidates: Array<{ computerId: string; partitionId: string }>;
}

export interface MasterRoutesInput {
  /** The Hono app; a plugin may add routes and middleware. */
  app: unknown;
}

export function createMasterHooks() {
  return {
    master: {
      allocate: bail<AllocationInput, { computerId: string; partitionId: string }>(
        "choose the partition for a new instance; undefined lets the master choose",
      ),
      computer: waterfall<Record<string, unknown>, { computerId: string }>(
        "computer document (getFullComputerInformation) → document, before it is sent",
      ),
      routes: series<MasterRoutesInput>("add routes or middleware to the master's HTTP app"),
    },
  };
}
