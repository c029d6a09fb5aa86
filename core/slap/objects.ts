/**
 * The SLAP object model (slap-protocol.md §3.2, §5), read side: typed views
 * over the `PyObject`s a master sends. The accessors raise what the
 * reference's client raises (not-found, not-ready) so callers behave alike.
 */
import { SlapError } from "../errors.ts";
import { PyObject, PyTuple, isPlainDict, type PyDict, type PyValue } from "./marshal/values.ts";

function field<T extends PyValue>(object: PyObject, key: string): T | undefined {
  const value = object.state[key];
  return value === undefined ? undefined : (value as T);
}

function dictOf(value: PyValue | undefined): PyDict {
  return value && isPlainDict(value) ? value : (Object.create(null) as PyDict);
}

function expectClass(value: PyValue, className: string): PyObject {
  if (!(value instanceof PyObject) || value.className !== className) {
    const got = value instanceof PyObject ? value.className : typeof value;
    throw new SlapError("marshal", `expected a ${className} object from the master, got ${got}`);
  }
  return value;
}

export class SoftwareRelease {
  constructor(readonly raw: PyObject) {}
  static from(value: PyValue): SoftwareRelease {
    return new SoftwareRelease(expectClass(value, "SoftwareRelease"));
  }
  getURI(): string {
    const url = field<string>(this.raw, "_software_release") ?? (this.raw.args[0] as string | undefined);
    if (!url) throw new SlapError("not-found", "software release has no URL");
    return url;
  }
  getComputerId(): string | undefined {
    return field<string>(this.raw, "_computer_guid") ?? (this.raw.args[1] as string | undefined);
  }
  /** The requested state; the reference defaults to "available". */
  getState(): string {
    return field<string>(this.raw, "_requested_state") ?? "available";
  }
}

export class ComputerPartition {
  constructor(readonly raw: PyObject) {}
  static from(value: PyValue): ComputerPartition {
    return new ComputerPartition(expectClass(value, "ComputerPartition"));
  }
  getId(): string {
    const id = field<string>(this.raw, "_partition_id");
    if (!id) throw new SlapError("not-ready", "partition is not ready yet");
    return id;
  }
  getComputerId(): string | undefined {
    return field<string>(this.raw, "_computer_id");
  }
  getInstanceGuid(): string {
    const guid = field<string>(this.raw, "_instance_guid");
    if (guid === undefined || guid === null) throw new SlapError("not-ready", "instance guid is not known yet");
    return guid;
  }
  getState(): string {
    const state = field<string>(this.raw, "_requested_state");
    if (state === undefined || state === null) throw new SlapError("not-ready", "requested state is not known yet");
    return state;
  }
  /** The software release URL, or undefined for a free partition. */
  getSoftwareReleaseUrl(): string | undefined {
    const document = this.raw.state._software_release_document;
    if (document === undefined || document === null) return undefined;
    // A forwarded partition carries the bare URL string (slap-protocol.md §3.2).
    if (typeof document === "string") return document;
    return new SoftwareRelease(expectClass(document, "SoftwareRelease")).getURI();
  }
  getInstanceParameterDict(): PyDict {
    return dictOf(this.raw.state._parameter_dict);
  }
  getConnectionParameterDict(): PyDict {
    return dictOf(this.raw.state._connection_dict);
  }
  getType(): string {
    const type = this.getInstanceParameterDict().slap_software_type;
    if (typeof type !== "string") throw new SlapError("not-ready", "software type is not known yet");
    return type;
  }
  /** `_filter_dict` of a real master (retention_delay, firewall settings); {} from a proxy. */
  getFilterDict(): PyDict {
    return dictOf(this.raw.state._filter_dict);
  }
  /** `ip_list` as [interface, address] pairs. */
  getIpList(): Array<[string, string]> {
    const list = this.getInstanceParameterDict().ip_list;
    if (!Array.isArray(list)) return [];
    return list.filter((e): e is PyTuple => Array.isArray(e)).map((e) => [String(e[0]), String(e[1])]);
  }
}

export class Computer {
  constructor(readonly raw: PyObject) {}
  static from(value: PyValue): Computer {
    return new Computer(expectClass(value, "Computer"));
  }
  getId(): string {
    return (field<string>(this.raw, "_computer_id") ?? String(this.raw.args[0] ?? "")) as string;
  }
  getSoftwareReleaseList(): SoftwareRelease[] {
    const list = this.raw.state._software_release_list;
    return Array.isArray(list) ? list.map((v) => SoftwareRelease.from(v)) : [];
  }
  getComputerPartitionList(): ComputerPartition[] {
    const list = this.raw.state._computer_partition_list;
    return Array.isArray(list) ? list.map((v) => ComputerPartition.from(v)) : [];
  }
}

/** What `requestComputerPartition` answers: a SoftwareInstance (or a ComputerPartition when forwarded). */
export class SoftwareInstance {
  constructor(readonly raw: PyObject) {}
  static from(value: PyValue): SoftwareInstance {
    if (!(value instanceof PyObject) || (value.className !== "SoftwareInstance" && value.className !== "ComputerPartition")) {
      throw new SlapError("marshal", "expected a SoftwareInstance from the master");
    }
    return new SoftwareInstance(value);
  }
  /** The partition it landed on: slap_computer_id / slap_computer_partition_id. */
  getComputerId(): string | undefined {
    return (field<string>(this.raw, "slap_computer_id") ?? field<string>(this.raw, "_computer_id")) || undefined;
  }
  getPartitionId(): string | undefined {
    return (field<string>(this.raw, "slap_computer_partition_id") ?? field<string>(this.raw, "_partition_id")) || undefined;
  }
  getInstanceGuid(): string | undefined {
    return field<string>(this.raw, "_instance_guid") ?? undefined;
  }
  getState(): string | undefined {
    return field<string>(this.raw, "_requested_state") ?? undefined;
  }
  getConnectionParameterDict(): PyDict {
    return dictOf(this.raw.state._connection_dict);
  }
  getInstanceParameterDict(): PyDict {
    return dictOf(this.raw.state._parameter_dict);
  }
}
