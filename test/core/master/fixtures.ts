/** Documents the reference's tests send (slap-protocol-cases.md "Conventions"), without test-runner dependencies. */
import type { FormFields } from "../../../core/slap/form.ts";
import { dumps } from "../../../core/slap/marshal/index.ts";
import { pyDict, type PyDict, type PyValue } from "../../../core/slap/marshal/values.ts";

/** The computer dict the reference's tests post (two addresses per partition, tap0). */
export function formatDocument(references: string[], computer = "computer"): PyDict {
  return pyDict([
    ["reference", computer],
    ["address", "12.34.56.78"],
    ["netmask", "255.255.255.255"],
    [
      "partition_list",
      references.map((reference) =>
        pyDict([
          ["reference", reference],
          ["tap", pyDict([["name", "tap0"]])],
          [
            "address_list",
            [
              pyDict([["addr", "1.2.3.4"], ["netmask", "255.255.255.255"]]),
              pyDict([["addr", "4.3.2.1"], ["netmask", "255.255.255.255"]]),
            ],
          ],
        ]),
      ),
    ],
  ]);
}

export interface Req {
  sr?: string;
  type?: string | null;
  name: string;
  from?: string;
  fromComputer?: string;
  shared?: boolean;
  params?: Record<string, PyValue>;
  filter?: Record<string, PyValue>;
  state?: string | null;
}

export function requestFields(r: Req): FormFields {
  const fields: FormFields = [
    ["software_release", r.sr ?? "http://sr//"],
    ["software_type", r.type ?? "default"],
    ["partition_reference", r.name],
    ["shared_xml", dumps(Boolean(r.shared))],
    ["partition_parameter_xml", dumps(pyDict(Object.entries(r.params ?? {})))],
    ["filter_xml", dumps(pyDict(Object.entries(r.filter ?? {})))],
    ["state", dumps(r.state ?? null)],
  ];
  if (r.from !== undefined) fields.push(["computer_id", r.fromComputer ?? "computer"], ["computer_partition_id", r.from]);
  return fields;
}

