/** The SLAP protocol: marshal codec, parameter XML, object model, client. */
export * from "./marshal/index.ts";
export { dict2xml, xml2dict } from "./param-xml.ts";
export { pyRepr, pyStr, reprString } from "./python-repr.ts";
export { urlencode, quotePlus, type FormFields } from "./form.ts";
export { Computer, ComputerPartition, SoftwareInstance, SoftwareRelease } from "./objects.ts";
export { SlapClient, normaliseMasterUrl, type RequestArgs, type SlapConnection } from "./client.ts";
