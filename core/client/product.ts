/**
 * `product.<name>` software strings (format-collect-cli.md §6): the best
 * software release of a software product, asked from the master
 * (`getSoftwareReleaseListFromSoftwareProduct`, first entry is best). Any
 * other string is returned unchanged.
 */
import { SlapError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { SlapClient } from "../slap/client.ts";

export const PRODUCT_PREFIX = "product.";

export async function resolveSoftwareString(slap: SlapClient, software: string, log: Logger): Promise<string> {
  if (!software.startsWith(PRODUCT_PREFIX)) return software;
  const product = software.slice(PRODUCT_PREFIX.length);
  if (!product) {
    throw new SlapError("failure", "Error: None of software_product_reference and software_release_url parameters are specified. Exiting now.");
  }
  log.info("Getting best Software Release corresponding to this Software Product...");
  const list = await slap.getSoftwareReleaseListFromSoftwareProduct({ product });
  if (!list.length) {
    throw new SlapError("failure", "Error: No Software Release corresponding to this Software Product has been found. Exiting now.");
  }
  log.info(`Found as ${list[0]}.`);
  return list[0];
}
