/**
 * `slapos supply SOFTWARE_URL NODE` and `slapos remove SOFTWARE_URL NODE`
 * (format-collect-cli.md §6.2): `supplySupply` with state `available` or
 * `destroyed`. Only supply resolves `product.X`, as in the reference. A
 * master that does not know the node answers 404, reported in the
 * reference's words.
 */
import { SlapError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { ClientConnection } from "./connect.ts";
import { resolveSoftwareString } from "./product.ts";

async function supplySupply(connection: ClientConnection, url: string, node: string, state: "available" | "destroyed"): Promise<void> {
  try {
    await connection.slap.supply(url, node, state);
  } catch (error) {
    if (error instanceof SlapError && error.code === "not-found") {
      throw new SlapError("not-found", `Computer ${node} has not been found by SlapOS Master.`, { cause: error });
    }
    throw error;
  }
}

export async function doSupply(connection: ClientConnection, software: string, node: string, log: Logger): Promise<number> {
  log.info(`Requesting software installation of ${software}...`);
  const url = await resolveSoftwareString(connection.slap, software, log);
  await supplySupply(connection, url, node, "available");
  log.info("Done.");
  return 0;
}

export async function doRemove(connection: ClientConnection, software: string, node: string, log: Logger): Promise<number> {
  log.info(`Requesting deletion of ${software} Software Release...`);
  await supplySupply(connection, software, node, "destroyed");
  log.info("Done.");
  return 0;
}
