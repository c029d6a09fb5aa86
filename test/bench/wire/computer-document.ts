/**
 * The getFullComputerInformation body of a computer with 20 busy partitions,
 * built like the reference's (see ../shared/reference/wire/slapgrid/0010),
 * shared by the marshal benchmarks.
 */
import { PyObject, PyTuple, pyDict, tuple, type PyValue } from "../../../core/slap/marshal/index.ts";

function softwareRelease(url: string, computer: string, state?: string): PyObject {
  const fields: Array<[string, PyValue]> = [
    ["_computer_guid", computer],
    ["_software_instance_list", []],
    ["_software_release", url],
  ];
  if (state) fields.push(["_requested_state", state]);
  return new PyObject("slapos.slap.slap", "SoftwareRelease", tuple(url, computer), pyDict(fields));
}

function partition(computer: string, index: number): PyObject {
  const id = `slappart${index}`;
  const url = "https://lab.nexedi.com/nexedi/slapos/raw/1.0.300/software/demo/software.cfg";
  const parameters = pyDict([
    ["full_address_list", []],
    ["instance_title", `instance-${index}`],
    ["ip_list", [tuple(id, `10.0.0.${index + 2}`), tuple(id, `fd00::${index + 2}`)]],
    ["root_instance_title", "root"],
    ["slap_computer_id", computer],
    ["slap_computer_partition_id", id],
    ["slap_software_release_url", url],
    ["slap_software_type", "default"],
    ["slave_instance_list", []],
    ["timestamp", "1795303316.3851376"],
    ["_", JSON.stringify({ "title": `Instance & <${index}>`, "size": index, "enable": true })],
  ]);
  return new PyObject(
    "slapos.slap.slap",
    "ComputerPartition",
    tuple(computer, id, null),
    pyDict([
      ["_computer_id", computer],
      ["_connection_dict", pyDict([["url", `http://10.0.0.${index + 2}:8080/?a=1&b=2`]])],
      ["_instance_guid", `${computer}-${id}`],
      ["_need_modification", 1],
      ["_parameter_dict", parameters],
      ["_partition_id", id],
      ["_request_dict", null],
      ["_requested_state", "started"],
      ["_software_release_document", softwareRelease(url, computer)],
    ]),
  );
}

const computer = "COMP-1234";
export const document = new PyObject(
  "slapos.slap.slap",
  "Computer",
  tuple(computer),
  pyDict([
    ["_computer_id", computer],
    ["_computer_partition_list", Array.from({ length: 20 }, (_, i) => partition(computer, i))],
    ["_software_release_list", [softwareRelease("https://example.com/software.cfg", computer, "available")]],
  ]),
);

