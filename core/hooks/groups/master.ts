/** Hooks of the embedded master (`slapos proxy start`), see core/master/README.md. */
import type { PyObject, PyValue } from "../../slap/marshal/values.ts";
import { bail, series, waterfall } from "../declare.ts";

export interface PartitionKey {
  computerId: string;
  partitionId: string;
}

export interface AllocationInput {
  /** The SLA computer (`filter_kw.computer_guid`, else the master's computer_id). */
  computerId: string;
  softwareRelease: string;
  softwareType: string;
  partitionReference: string;
  /** Root title of the requester's tree; "" for a request from a user. */
  requestedBy: string;
  parameters: Record<string, PyValue>;
  filter: Record<string, PyValue>;
  /** Free partitions of `computerId`, in the order the master would allocate them. */
  candidates: PartitionKey[];
}

export interface ComputerDocumentContext {
  computerId: string;
}

export interface MasterRoutesInput {
  /** The master's Hono app (`import type { Hono } from "hono"`): add routes or middleware with it. */
  app: unknown;
  /** Where the master's database is, for plugins that keep their own tables in it. */
  databaseUri: string;
}

export function createMasterHooks() {
  return {
    master: {
      allocate: bail<AllocationInput, PartitionKey>(
        "choose the partition of a new (non-shared) instance: return any free partition; undefined lets the master take the first candidate",
      ),
      computer: waterfall<PyObject, ComputerDocumentContext>(
        "the Computer document of getFullComputerInformation → document, before it is marshalled (disables its cache)",
      ),
      routes: series<MasterRoutesInput>("add routes or middleware to the master's HTTP app, before the master's own routes"),
    },
  };
}
