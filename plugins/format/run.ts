/**
 * One format run (`do_format`, §1.3): build the computer, refresh its
 * address, format the machine, describe the node, store the computer
 * document and post it to the master. Returns the reference's exit codes:
 * 0 posted, 2 formatted but not posted, 1 failed.
 */
import { existsSync } from "node:fs";
import type { ComputerDocument, FormatStage, NetworkContext } from "../../core/hooks/groups/format.ts";
import type { Hooks } from "../../core/hooks/catalogue.ts";
import { required } from "../../core/hooks/loader.ts";
import { SlapError, messageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { floatRepr } from "../../core/slap/marshal/float-repr.ts";
import { reprString } from "../../core/slap/python-repr.ts";
import type { FormatConfig } from "./config.ts";
import { parseDefinition, writeDefinition } from "./definition.ts";
import { createRunner } from "./exec.ts";
import { formatComputer } from "./format-computer.ts";
import { createFsOps } from "./fs-ops.ts";
import { computerFromXml, PartitionShrinkError } from "./load-xml.ts";
import { storedAddress } from "./model.ts";
import { dumpComputer } from "./persist.ts";
import { postComputer } from "./post.ts";
import { osType, publicIpv4, pythonVersion, SLAPOS_VERSION } from "./system-info.ts";
import { UserDatabase } from "./users.ts";

export const FORMAT_SUCCESS = 0;
export const FORMAT_FAILURE = 1;
export const FORMAT_OFFLINE_SUCCESS = 2;

/** The random start delay of cron runs (0..3600 s) unless `now`. */
export async function randomDelay(conf: Pick<FormatConfig, "now">, log: Logger): Promise<void> {
  if (conf.now) return;
  const seconds = 3600 * Math.random();
  log.info(`Sleeping for ${floatRepr(seconds)} seconds. To disable this feature, use with --now parameter in manual.`);
  await Bun.sleep(seconds * 1000);
}

function networkContext(conf: FormatConfig, computer: ComputerDocument): NetworkContext {
  const name = computer.interface?.name ?? conf.interfaceName ?? "None";
  return {
    interfaceName: name,
    ipv6Interface: computer.interface?.ipv6_interface ?? conf.ipv6Interface ?? name,
    ipv4LocalNetwork: conf.ipv4LocalNetwork,
    prefixShift: conf.ipv6PrefixShift,
    tapGatewayInterface: conf.tapGatewayInterface,
    partitionCount: computer.partition_list.length,
    createTap: conf.createTap,
    dryRun: conf.dryRun,
  };
}

/** `Computer.update()`: versions, OS and (unless disabled) the public IPv4. */
async function describeNode(computer: ComputerDocument, conf: FormatConfig): Promise<void> {
  computer.public_ipv4_address = conf.publicIpv4Lookup ? await publicIpv4() : null;
  computer.slapos_version = SLAPOS_VERSION;
  computer.python_version = pythonVersion();
  computer.os_type = osType();
}

/** Build the computer and format the machine; the document is returned ready to store and post. */
export async function prepareComputer(conf: FormatConfig, hooks: Hooks, log: Logger): Promise<ComputerDocument> {
  let computer = conf.inputDefinitionFile ? parseDefinition(conf, log) : computerFromXml(conf, log);
  computer.instance_storage_home = conf.instanceStorageHome;
  const network = networkContext(conf, computer);
  log.info("Updating computer");
  const address = computer.interface
    ? await required(hooks.format.allocateAddress, { kind: "computer", network, preferred: computer.address })
    : storedAddress(computer);
  computer.address = address.addr;
  computer.netmask = address.netmask ? address.netmask.split("/")[0] : address.netmask;
  if (conf.outputDefinitionFile) writeDefinition(conf.outputDefinitionFile, computer, log);

  const stage: FormatStage = { computer, options: conf.options, dryRun: conf.dryRun };
  await formatComputer(
    computer,
    { alterUser: conf.alterUser, alterNetwork: conf.alterNetwork, createTap: conf.createTap },
    {
      hooks,
      network,
      runner: createRunner(log, conf.dryRun),
      fs: createFsOps(log, conf.dryRun),
      users: new UserDatabase(conf.dryRun),
      log,
      stage,
    },
  );
  if (conf.certificateRepositoryPath && !existsSync(conf.certificateRepositoryPath)) {
    createFsOps(log, conf.dryRun).makedirs(conf.certificateRepositoryPath, 0o700);
  }
  await describeNode(computer, conf);
  computer = await hooks.format.computer.promise(computer, stage);
  return computer;
}

/**
 * `do_format`: the whole run. Never throws: failures are logged and give
 * FORMAT_FAILURE, an unreachable master FORMAT_OFFLINE_SUCCESS.
 */
export async function doFormat(conf: FormatConfig, hooks: Hooks, log: Logger): Promise<number> {
  let computer: ComputerDocument;
  try {
    await randomDelay(conf, log);
    computer = await prepareComputer(conf, hooks, log);
    if (!conf.dryRun) dumpComputer(computer, conf.computerXml, conf.computerJson, log);
  } catch (error) {
    if (error instanceof PartitionShrinkError) {
      log.critical(error.message);
      return FORMAT_FAILURE;
    }
    log.error(messageOf(error));
    log.error("slapos failed to prepare the computer.");
    return FORMAT_FAILURE;
  }
  log.info(`Posting information to ${reprString(conf.masterUrl)}`);
  try {
    await postComputer(computer, conf);
    return FORMAT_SUCCESS;
  } catch (error) {
    const hint =
      error instanceof SlapError && error.code === "not-found"
        ? " ERROR: This SlapOS node is not recognised by SlapOS Master and/or computer_id and certificates don't match. Please make sure computer_id of slapos.cfg looks like 'COMP-123' and is correct."
        : "";
    log.error(`failed to transfer information to ${reprString(conf.masterUrl)}: ${messageOf(error)}${hint}`);
    return FORMAT_OFFLINE_SUCCESS;
  } finally {
    log.info("slapos successfully prepared the computer.");
  }
}
