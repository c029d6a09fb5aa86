/**
 * The objects the master sends (slap-protocol.md §3.2), as PyObjects ready
 * for `dumps`: Computer, ComputerPartition (free and busy), SoftwareRelease,
 * SoftwareInstance. Their attribute sets and values are the reference's,
 * key for key, so that the marshalled bytes match.
 */
import { loads } from "../../slap/marshal/decode.ts";
import { floatRepr } from "../../slap/marshal/float-repr.ts";
import { PyObject, PyTuple, pyDict, tuple, type PyDict, type PyValue } from "../../slap/marshal/values.ts";
import { xml2dict } from "../../slap/param-xml.ts";
import type { NetworkRow, PartitionRow, SoftwareRow } from "../db/store.ts";

const MODULE = "slapos.slap.slap";

export function slapObject(className: string, args: PyTuple, state: PyDict): PyObject {
  return new PyObject(MODULE, className, args, state);
}

/** `str(float)` of a stored timestamp. */
export function timestampText(timestamp: number): string {
  return floatRepr(timestamp);
}

/** Parameters read back from storage: strings, or None for empty elements. */
export function paramsOf(xml: string | null): PyDict {
  return xml2dict(xml) as PyDict;
}

export function ipList(networks: NetworkRow[]): PyValue[] {
  return networks.map((n) => tuple(n.reference, n.address));
}

/** A software release entry of a computer's list. */
export function softwareReleaseDocument(row: SoftwareRow): PyObject {
  return slapObject(
    "SoftwareRelease",
    tuple(row.url, row.computer_reference),
    pyDict([
      ["_computer_guid", row.computer_reference],
      ["_requested_state", row.requested_state],
      ["_software_instance_list", []],
      ["_software_release", row.url],
    ]),
  );
}

/** `_software_release_document` of a busy partition: no `_requested_state`. */
function partitionSoftwareRelease(url: string, computerId: string): PyObject {
  return slapObject(
    "SoftwareRelease",
    tuple(url, computerId),
    pyDict([
      ["_computer_guid", computerId],
      ["_software_instance_list", []],
      ["_software_release", url],
    ]),
  );
}

/** A partition as getFullComputerInformation and registerComputerPartition show it. */
export function partitionDocument(row: PartitionRow, networks: NetworkRow[]): PyObject {
  const computerId = row.computer_reference;
  const partitionId = row.reference;
  const state = pyDict([
    ["_computer_id", computerId],
    ["_instance_guid", `${computerId}-${partitionId}`],
    ["_need_modification", 0],
    ["_partition_id", partitionId],
    ["_request_dict", null],
    ["_requested_state", "destroyed"],
    ["_software_release_document", null],
  ]);
  if (row.software_release) {
    const parameters = paramsOf(row.xml);
    parameters.ip_list = ipList(networks);
    parameters.full_address_list = [];
    parameters.slap_software_type = row.software_type;
    parameters.instance_title = row.partition_reference;
    parameters.root_instance_title = row.requested_by || row.partition_reference;
    parameters.slap_computer_id = computerId;
    parameters.slap_computer_partition_id = partitionId;
    parameters.slap_software_release_url = row.software_release;
    parameters.slave_instance_list = row.slave_instance_list !== null ? loads(row.slave_instance_list) : [];
    if (row.timestamp) parameters.timestamp = timestampText(row.timestamp);
    state._need_modification = 1;
    state._requested_state = row.requested_state;
    state._parameter_dict = parameters;
    state._connection_dict = paramsOf(row.connection_xml);
    state._software_release_document = partitionSoftwareRelease(row.software_release, computerId);
  }
  return slapObject("ComputerPartition", tuple(computerId, partitionId, null), state);
}

export function computerDocument(computerId: string, software: PyObject[], partitions: PyObject[]): PyObject {
  return slapObject(
    "Computer",
    tuple(computerId),
    pyDict([
      ["_computer_id", computerId],
      ["_computer_partition_list", partitions],
      ["_software_release_list", software],
    ]),
  );
}

/** What a non-shared request answers (slap-protocol.md §3.2 "SoftwareInstance"). */
export function softwareInstanceDocument(row: PartitionRow, networks: NetworkRow[], requestedState: string): PyObject {
  const parameters = paramsOf(row.xml);
  parameters.timestamp = timestampText(row.timestamp ?? 0);
  return slapObject(
    "SoftwareInstance",
    new PyTuple(),
    pyDict([
      ["_connection_dict", paramsOf(row.connection_xml)],
      ["_instance_guid", `${row.computer_reference}-${row.reference}`],
      ["_parameter_dict", parameters],
      ["_requested_state", requestedState],
      ["connection_xml", row.connection_xml],
      ["ip_list", ipList(networks)],
      ["slap_computer_id", row.computer_reference],
      ["slap_computer_partition_id", row.reference],
      ["slap_server_url", "slap_server_url"],
      ["slap_software_release_url", row.software_release],
      ["slap_software_type", row.software_type],
    ]),
  );
}

/** What a shared request answers: the host's identity, the shared instance's own parameters. */
export function sharedInstanceDocument(
  host: PartitionRow,
  hostedBy: string | null,
  connectionXml: string | null,
  parameterXml: string,
  networks: NetworkRow[],
): PyObject {
  return slapObject(
    "SoftwareInstance",
    new PyTuple(),
    pyDict([
      ["_connection_dict", paramsOf(connectionXml)],
      ["_parameter_dict", paramsOf(parameterXml)],
      ["ip_list", ipList(networks)],
      ["slap_computer_id", host.computer_reference],
      ["slap_computer_partition_id", hostedBy],
      ["slap_server_url", "slap_server_url"],
      ["slap_software_release_url", host.software_release],
      ["slap_software_type", host.software_type],
    ]),
  );
}

/** The placeholder partition of the frontend bypass (slap-protocol.md §4.10). */
export function fakeFrontendDocument(partitionId: string, connection: PyDict): PyObject {
  return slapObject(
    "ComputerPartition",
    tuple("", partitionId, null),
    pyDict([
      ["_computer_id", ""],
      ["_connection_dict", connection],
      ["_parameter_dict", pyDict()],
      ["_partition_id", partitionId],
      ["_request_dict", null],
      ["slap_computer_id", ""],
      ["slap_computer_partition_id", ""],
    ]),
  );
}
