/**
 * Input validation of the JSON-RPC API (slap-protocol.md §3.3): the subset
 * of JSON Schema the reference's `json_rpc.json` uses (required keys,
 * types, enums, maxLength, additionalProperties false, nested items),
 * with jsonschema's wording for the first error found.
 */
export type Type = "string" | "object" | "boolean" | "array" | "number";

export interface Property {
  type: Type;
  enum?: string[];
  maxLength?: number;
  items?: Schema;
}

export interface Schema {
  required?: string[];
  properties: Record<string, Property>;
  /** Objects given as `type: object` without properties accept anything. */
  open?: boolean;
}

function repr(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value as object).map(([k, v]) => `'${k}': ${repr(v)}`).join(", ")}}`;
  return String(value);
}

function typeOk(value: unknown, type: Type): boolean {
  if (type === "array") return Array.isArray(value);
  if (type === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  if (type === "number") return typeof value === "number";
  return typeof value === type;
}

/** The first validation message, or undefined when the value is valid. */
export function validate(value: unknown, schema: Schema): string | undefined {
  if (!typeOk(value, "object")) return `${repr(value)} is not of type 'object'`;
  const object = value as Record<string, unknown>;
  if (!schema.open) {
    const extra = Object.keys(object).filter((k) => !(k in schema.properties));
    if (extra.length) {
      const list = extra.map((k) => `'${k}'`).join(", ");
      return `Additional properties are not allowed (${list} ${extra.length === 1 ? "was" : "were"} unexpected)`;
    }
  }
  for (const key of schema.required ?? []) if (!(key in object)) return `'${key}' is a required property`;
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!(key in object)) continue;
    const item = object[key];
    if (!typeOk(item, property.type)) return `${repr(item)} is not of type '${property.type}'`;
    if (property.enum && !property.enum.includes(item as string)) return `${repr(item)} is not one of ${repr(property.enum)}`;
    if (property.maxLength !== undefined && (item as string).length > property.maxLength) return `${repr(item)} is too long`;
    if (property.items) {
      for (const element of item as unknown[]) {
        const problem = validate(element, property.items);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

const s = (extra: Partial<Property> = {}): Property => ({ type: "string", ...extra });
const o = (): Property => ({ type: "object" });

const computer = { required: ["computer_guid"], properties: { computer_guid: s() } };
const instance = { required: ["instance_guid"], properties: { instance_guid: s() } };
const empty = { properties: {} };

const ipEntry: Schema = {
  required: ["ip-address"],
  properties: {
    "ip-address": s(),
    "network-interface": s(),
    netmask: s(),
    "network-address": s(),
    "gateway-ip-address": s(),
  },
};

/** Request schema of each method, by path. */
export const SCHEMAS: Record<string, Schema> = {
  "/slapos.get.v0.hateoas_url": empty,
  "/slapos.remove.v0.compute_node_certificate": computer,
  "/slapos.post.v0.compute_node_certificate": computer,
  "/slapos.get.v0.software_instance_certificate": instance,
  "/slapos.post.v0.compute_node_usage": { required: ["computer_guid", "tioxml"], properties: { computer_guid: s(), tioxml: s() } },
  "/slapos.put.v0.compute_node_bang": { required: ["computer_guid", "message"], properties: { computer_guid: s(), message: s() } },
  "/slapos.put.v0.software_instance_error": { required: ["instance_guid", "message"], properties: { instance_guid: s(), message: s() } },
  "/slapos.put.v0.software_installation_error": {
    required: ["software_release_uri", "computer_guid", "message"],
    properties: { software_release_uri: s(), computer_guid: s(), message: s() },
  },
  "/slapos.get.v0.compute_node_status": computer,
  "/slapos.post.v0.software_installation": {
    required: ["software_release_uri", "computer_guid"],
    properties: { software_release_uri: s(), computer_guid: s(), state: s({ enum: ["available", "destroyed"] }) },
  },
  "/slapos.put.v0.software_installation_reported_state": {
    required: ["software_release_uri", "computer_guid", "reported_state"],
    properties: { software_release_uri: s(), computer_guid: s(), reported_state: s({ enum: ["available", "destroyed", "building"] }) },
  },
  "/slapos.allDocs.v0.compute_node_software_installation_list": computer,
  "/slapos.put.v0.compute_node_format": {
    required: ["compute_partition_list", "computer_guid"],
    properties: {
      computer_guid: s(),
      compute_partition_list: {
        type: "array",
        items: { required: ["partition_id"], properties: { partition_id: s(), ip_list: { type: "array", items: ipEntry } } },
      },
    },
  },
  "/slapos.allDocs.v0.compute_node_instance_list": computer,
  "/slapos.post.v0.software_instance": {
    required: ["title", "software_release_uri", "software_type"],
    properties: {
      title: s({ maxLength: 200 }),
      software_release_uri: s(),
      software_type: s(),
      parameters: o(),
      shared: { type: "boolean" },
      state: s({ enum: ["started", "stopped", "destroyed"] }),
      sla_parameters: o(),
    },
  },
  "/slapos.get.v0.software_instance": instance,
  "/slapos.get.v0.compute_partition": {
    required: ["computer_guid", "compute_partition_id"],
    properties: { computer_guid: s(), compute_partition_id: s() },
  },
  "/slapos.get.v0.instance_tree": { required: ["title"], properties: { title: s({ maxLength: 200 }) } },
  "/slapos.allDocs.v0.instance_tree_list": empty,
  "/slapos.allDocs.v0.instance_node_instance_list": instance,
  "/slapos.put.v0.software_instance_reported_state": {
    required: ["instance_guid", "reported_state"],
    properties: { instance_guid: s(), reported_state: s({ enum: ["started", "destroyed", "stopped"] }) },
  },
  "/slapos.put.v0.software_instance_bang": { required: ["instance_guid", "message"], properties: { instance_guid: s(), message: s() } },
  "/slapos.put.v0.software_instance_title": {
    required: ["instance_guid", "title"],
    properties: { instance_guid: s(), title: s({ maxLength: 200 }) },
  },
  "/slapos.put.v0.software_instance_connection_parameter": {
    required: ["instance_guid", "connection_parameter_dict"],
    properties: { instance_guid: s(), connection_parameter_dict: o() },
  },
  "/slapos.allDocs.WIP.compute_node_list": empty,
};
