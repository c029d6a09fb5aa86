/** The tail slapgrid appends to every instance profile (node-runtime.md §3.4), byte for byte. */

export interface TailValues {
  computerId: string;
  partitionId: string;
  serverUrl: string;
  softwareReleaseUrl: string;
  keyFile: string;
  certFile: string;
  requestedState: string;
  storageHome: string;
  globalIpv4Network: string;
  sharedPartList: string;
  buildTimePartList: string;
}

/** `'  '.join(text.strip().splitlines(True))`: continuation lines indented by two spaces. */
function indentLines(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "";
  return trimmed.split(/(?<=\n)/).join("  ");
}

export function buildoutTail(v: TailValues): string {
  return `# This is beginning of zc.buildout profile's tail added by slapgrid
[buildout]
# put buildout generated binaries in specific directory
bin-directory = \${buildout:directory}/sbin

# protect software and run parts offline
offline = true

[slap-connection]
computer-id = ${v.computerId}
partition-id = ${v.partitionId}
server-url = ${v.serverUrl}
software-release-url = ${v.softwareReleaseUrl}
key-file = ${v.keyFile}
cert-file = ${v.certFile}
shared-part-list =
  ${indentLines(v.sharedPartList)}
build-time-part-list =
  ${indentLines(v.buildTimePartList)}
requested-state = ${v.requestedState}

[slap_connection]
# Kept for backward compatiblity
computer_id = ${v.computerId}
partition_id = ${v.partitionId}
server_url = ${v.serverUrl}
software_release_url = ${v.softwareReleaseUrl}
key_file = ${v.keyFile}
cert_file = ${v.certFile}

[storage-configuration]
storage-home = ${v.storageHome}

[network-information]
global-ipv4-network = ${v.globalIpv4Network}
# This is end of zc.buildout profile's tail added by slapgrid
`;
}
