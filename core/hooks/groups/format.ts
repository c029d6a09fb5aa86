/** Hooks of `slapos node format`. */
import { bail, series, waterfall } from "../declare.ts";

export interface AddressRequest {
  partitionId: string;
  family: "ipv4" | "ipv6";
  interfaceName?: string;
  /** Address already stored for this partition, to keep across runs. */
  stored?: string;
}

export interface AllocatedAddress {
  addr: string;
  netmask: string;
}

export function createFormatHooks() {
  return {
    format: {
      allocateAddress: bail<AddressRequest, AllocatedAddress>(
        "give a partition an address; the first tap that answers wins (network backends)",
      ),
      computer: waterfall<Record<string, unknown>>(
        "computer document → document, before it is stored and posted to the master",
      ),
      setup: series<Record<string, unknown>>("after the partitions are formatted (manager.format)"),
      tearDown: series<Record<string, unknown>>("end of the format run (manager.formatTearDown)"),
    },
  };
}
