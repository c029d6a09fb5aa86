/**
 * The node configuration that `slapos node register` fills in: the same
 * sections, keys and values as slapos.core's `slapos.cfg.example` (the
 * public binary cache, the signatures it trusts, the URL blacklists), so a
 * registered node behaves as a node registered by the reference. The keys
 * register replaces are each on a line of their own (see `fillTemplate`).
 */

/** The reference's one list of URL prefixes, both for download from and upload to the binary cache. */
const BINARY_CACHE_URL_BLACKLIST = `  https://lab.nexedi.cn/nexedi/slapos/-/raw/master
  https://lab.nexedi.cn/nexedi/slapos/-/raw/1.0/
  https://lab.nexedi.cn/nexedi/slapos/-/raw/erp5
  https://lab.nexedi.com/nexedi/slapos/-/raw/master
  https://lab.nexedi.com/nexedi/slapos/-/raw/1.0/
  https://lab.nexedi.com/nexedi/slapos/-/raw/erp5
  https://lab.nxdcdn.com/nexedi/slapos/-/raw/master
  https://lab.nxdcdn.com/nexedi/slapos/-/raw/1.0/
  https://lab.nxdcdn.com/nexedi/slapos/-/raw/erp5
  https://lab.nexedi.cn/nexedi/slapos/raw/master
  https://lab.nexedi.cn/nexedi/slapos/raw/1.0/
  https://lab.nexedi.cn/nexedi/slapos/raw/erp5
  https://lab.nexedi.com/nexedi/slapos/raw/master
  https://lab.nexedi.com/nexedi/slapos/raw/1.0/
  https://lab.nexedi.com/nexedi/slapos/raw/erp5
  https://lab.nxdcdn.com/nexedi/slapos/raw/master
  https://lab.nxdcdn.com/nexedi/slapos/raw/1.0/
  https://lab.nxdcdn.com/nexedi/slapos/raw/erp5
  http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD
  http://git.erp5.org/gitweb/slapos.git/blob_plain/refs/heads
  /`;

export const NODE_CONFIGURATION_TEMPLATE = `[slapos]
# The node's id on its master (COMP-...): slapos node register sets it.
computer_id = COMP-123456789
master_url = https://slap.vifib.com/
key_file = /etc/opt/slapos/ssl/computer.key
cert_file = /etc/opt/slapos/ssl/computer.crt
certificate_repository_path = /etc/opt/slapos/ssl/partition_pki
software_root = /opt/slapgrid
instance_root = /srv/slapgrid
# Folders of shared parts (slapos.recipe.cmmi); new parts go into the last one.
#shared_part_list =
#  /opt/slapgrid/read_only_shared
#  /opt/slapgrid/shared
# Plugin files (one per line) loaded by every slapos command.
#plugin_list =
#  /opt/slapos/plugins/my-plugin.ts

[slapformat]
# The interface that carries the partitions' addresses (the IPv6 one, unless re6st gives it).
interface_name = lo
# true to give each partition a tap interface (virtual machines); the interface must be a bridge.
create_tap = false
partition_amount = 10
computer_xml = /opt/slapos/slapos.xml
log_file = /opt/slapos/log/slapos-node-format.log
partition_base_name = slappart
user_base_name = slapuser
tap_base_name = slaptap
# false: taps get only IPv4 (no effect without create_tap).
tap_ipv6 = true
# A local IPv4 network for partitions, unused elsewhere on this machine.
ipv4_local_network = 10.0.0.0/16
# Prefix length of partition IPv6 ranges, relative to the interface's (default 16).
# ipv6_prefixshift = 16

# Rename to [firewall] to enable.
[disabled-firewall]
dbus_executable = /opt/slapos/parts/dbus/bin/dbus-daemon --nofork --nopidfile --system --nosyslog
firewall_executable = /opt/slapos/parts/firewalld/sbin/firewalld --nofork --nopid --log-file /opt/slapos/log/firewalld-process.log
firewall_cmd = /opt/slapos/parts/firewalld/bin/firewall-cmd
reload_config_cmd = /opt/slapos/parts/firewalld/bin/firewall-cmd --reload
log_file = /opt/slapos/log/firewalld.log
dbus_log_file = /opt/slapos/log/dbus.log
# Sources allowed through the firewall.
authorized_sources =

[networkcache]
# Binary cache: compiled software releases.
download-binary-cache-url = http://shacache.nxdcdn.com
download-binary-dir-url = http://shadir.nxdcdn.com

# Cache of downloads (eggs, archives) by URL.
download-cache-url = http://shacache.nxdcdn.com
download-dir-url = http://shadir.nxdcdn.com

# Uploads (to share what this node builds):
#signature-private-key-file = /etc/opt/slapos/shacache/signature.key
#upload-binary-dir-url = https://www.shacache.org/shadir
#upload-binary-cache-url = https://www.shacache.org/shacache
#upload-cache-url = https://www.shacache.org/shacache
#upload-dir-url = https://www.shacache.org/shadir

# Client certificates for https caches:
#shacache-ca-file = /etc/opt/slapos/shacache/ca.cert
#shacache-cert-file = /etc/opt/slapos/shacache/shacache.cert
#shacache-key-file = /etc/opt/slapos/shacache/shacache.key
#shadir-ca-file = /etc/opt/slapos/shacache/ca.cert
#shadir-cert-file = /etc/opt/slapos/shacache/shacache.cert
#shadir-key-file = /etc/opt/slapos/shacache/shacache.key

# Signatures of the uploaders whose entries are trusted.
signature-certificate-list =
  -----BEGIN CERTIFICATE-----
  MIIB8jCCAVugAwIBAgIJAPu2zchZ2BxoMA0GCSqGSIb3DQEBBQUAMBIxEDAOBgNV
  BAMMB3RzeGRldjMwHhcNMTExMDE0MTIxNjIzWhcNMTIxMDEzMTIxNjIzWjASMRAw
  DgYDVQQDDAd0c3hkZXYzMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCrPbh+
  YGmo6mWmhVb1vTqX0BbeU0jCTB8TK3i6ep3tzSw2rkUGSx3niXn9LNTFNcIn3MZN
  XHqbb4AS2Zxyk/2tr3939qqOrS4YRCtXBwTCuFY6r+a7pZsjiTNddPsEhuj4lEnR
  L8Ax5mmzoi9nE+hiPSwqjRwWRU1+182rzXmN4QIDAQABo1AwTjAdBgNVHQ4EFgQU
  /4XXREzqBbBNJvX5gU8tLWxZaeQwHwYDVR0jBBgwFoAU/4XXREzqBbBNJvX5gU8t
  LWxZaeQwDAYDVR0TBAUwAwEB/zANBgkqhkiG9w0BAQUFAAOBgQA07q/rKoE7fAda
  FED57/SR00OvY9wLlFEF2QJ5OLu+O33YUXDDbGpfUSF9R8l0g9dix1JbWK9nQ6Yd
  R/KCo6D0sw0ZgeQv1aUXbl/xJ9k4jlTxmWbPeiiPZEqU1W9wN5lkGuLxV4CEGTKU
  hJA/yXa1wbwIPGvX3tVKdOEWPRXZLg==
  -----END CERTIFICATE-----
  -----BEGIN CERTIFICATE-----
  MIIB7jCCAVegAwIBAgIJAJWA0jQ4o9DGMA0GCSqGSIb3DQEBBQUAMA8xDTALBgNV
  BAMMBHg2MXMwIBcNMTExMTI0MTAyNDQzWhgPMjExMTEwMzExMDI0NDNaMA8xDTAL
  BgNVBAMMBHg2MXMwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBANdJNiFsRlkH
  vq2kHP2zdxEyzPAWZH3CQ3Myb3F8hERXTIFSUqntPXDKXDb7Y/laqjMXdj+vptKk
  3Q36J+8VnJbSwjGwmEG6tym9qMSGIPPNw1JXY1R29eF3o4aj21o7DHAkhuNc5Tso
  67fUSKgvyVnyH4G6ShQUAtghPaAwS0KvAgMBAAGjUDBOMB0GA1UdDgQWBBSjxFUE
  RfnTvABRLAa34Ytkhz5vPzAfBgNVHSMEGDAWgBSjxFUERfnTvABRLAa34Ytkhz5v
  PzAMBgNVHRMEBTADAQH/MA0GCSqGSIb3DQEBBQUAA4GBAFLDS7zNhlrQYSQO5KIj
  z2RJe3fj4rLPklo3TmP5KLvendG+LErE2cbKPqnhQ2oVoj6u9tWVwo/g03PMrrnL
  KrDm39slYD/1KoE5kB4l/p6KVOdeJ4I6xcgu9rnkqqHzDwI4v7e8/D3WZbpiFUsY
  vaZhjNYKWQf79l6zXfOvphzJ
  -----END CERTIFICATE-----
  -----BEGIN CERTIFICATE-----
  MIIB9jCCAV+gAwIBAgIJAO4V/jiMoICoMA0GCSqGSIb3DQEBBQUAMBMxETAPBgNV
  BAMMCENPTVAtMjMyMCAXDTEyMDIxNjExMTAyM1oYDzIxMTIwMTIzMTExMDIzWjAT
  MREwDwYDVQQDDAhDT01QLTIzMjCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEA
  wi/3Z8W9pUiegUXIk/AiFDQ0UJ4JFAwjqr+HSRUirlUsHHT+8DzH/hfcTDX1I5BB
  D1ADk+ydXjMm3OZrQcXjn29OUfM5C+g+oqeMnYQImN0DDQIOcUyr7AJc4xhvuXQ1
  P2pJ5NOd3tbd0kexETa1LVhR6EgBC25LyRBRae76qosCAwEAAaNQME4wHQYDVR0O
  BBYEFMDmW9aFy1sKTfCpcRkYnP6zUd1cMB8GA1UdIwQYMBaAFMDmW9aFy1sKTfCp
  cRkYnP6zUd1cMAwGA1UdEwQFMAMBAf8wDQYJKoZIhvcNAQEFBQADgYEAskbFizHr
  b6d3iIyN+wffxz/V9epbKIZVEGJd/6LrTdLiUfJPec7FaxVCWNyKBlCpINBM7cEV
  Gn9t8mdVQflNqOlAMkOlUv1ZugCt9rXYQOV7rrEYJBWirn43BOMn9Flp2nibblby
  If1a2ZoqHRxoNo2yTmm7TSYRORWVS+vvfjY=
  -----END CERTIFICATE-----
  -----BEGIN CERTIFICATE-----
  MIIB9jCCAV+gAwIBAgIJAKRvzcy7OH0UMA0GCSqGSIb3DQEBBQUAMBMxETAPBgNV
  BAMMCENPTVAtNzcyMCAXDTEyMDgxMDE1NDI1MVoYDzIxMTIwNzE3MTU0MjUxWjAT
  MREwDwYDVQQDDAhDT01QLTc3MjCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEA
  o7aipd6MbnuGDeR1UJUjuMLQUariAyQ2l2ZDS6TfOwjHiPw/mhzkielgk73kqN7A
  sUREx41eTcYCXzTq3WP3xCLE4LxLg1eIhd4nwNHj8H18xR9aP0AGjo4UFl5BOMa1
  mwoyBt3VtfGtUmb8whpeJgHhqrPPxLoON+i6fIbXDaUCAwEAAaNQME4wHQYDVR0O
  BBYEFEfjy3OopT2lOksKmKBNHTJE2hFlMB8GA1UdIwQYMBaAFEfjy3OopT2lOksK
  mKBNHTJE2hFlMAwGA1UdEwQFMAMBAf8wDQYJKoZIhvcNAQEFBQADgYEAaNRx6YN2
  M/p3R8/xS6zvH1EqJ3FFD7XeAQ52WuQnKSREzuw0dsw12ClxjcHiQEFioyTiTtjs
  5pW18Ry5Ie7iFK4cQMerZwWPxBodEbAteYlRsI6kePV7Gf735Y1RpuN8qZ2sYL6e
  x2IMeSwJ82BpdEI5niXxB+iT0HxhmR+XaMI=
  -----END CERTIFICATE-----
  -----BEGIN CERTIFICATE-----
  MIICAjCCAWugAwIBAgIJAP/k6bltwfZCMA0GCSqGSIb3DQEBCwUAMBkxFzAVBgNV
  BAMMDmxvY2FsX2NvbXB1dGVyMCAXDTE3MTEwOTA2NTU1M1oYDzIxMTcxMDE2MDY1
  NTUzWjAZMRcwFQYDVQQDDA5sb2NhbF9jb21wdXRlcjCBnzANBgkqhkiG9w0BAQEF
  AAOBjQAwgYkCgYEAuWN8O1PQ23mulMu45fDxTHeoI33MDWDLHP9gthsMbTplftDf
  k8BAKCp/ugbAkCD5LTx/6RH1RdyM/LApUI/n+fxFnnVZn8Fyuzwu/TlvGdNT5yrj
  RhBkcxeCpWWz9Ysezj9jVnK+TCSjJeb/N55aMgXAVjrIeJkR4SkPDdMBtcMCAwEA
  AaNQME4wHQYDVR0OBBYEFJ+1cOY78rvaNAzqshFjVOWfqoMzMB8GA1UdIwQYMBaA
  FJ+1cOY78rvaNAzqshFjVOWfqoMzMAwGA1UdEwQFMAMBAf8wDQYJKoZIhvcNAQEL
  BQADgYEAJDLdo6fXZxEaHYJuZ6XuYPNAYAcSOiSbJoMSSz7qQJ+4FWPGCBnhiZbU
  SyslQFs59yqNxb046uKi7D4JeUd0zdBO3TtceGRK3iyEFNx8GF+em/6pNnC3A/XH
  +L1VRZsQdvh7NHsl/dVvWmmlmOANQ/+JkLbe98c/rCmBDH48Ldc=
  -----END CERTIFICATE-----
# Software URLs (prefixes) never taken from the binary cache.
download-from-binary-cache-url-blacklist =
${BINARY_CACHE_URL_BLACKLIST}
# Software URLs (prefixes) never uploaded to the binary cache.
upload-to-binary-cache-url-blacklist =
${BINARY_CACHE_URL_BLACKLIST}

# Software URLs (prefixes) that must come from the binary cache:
#download-from-binary-cache-force-url-list =
#  https://lab.nexedi.com/nexedi/slapos/-/raw/1.0.

[collect]
enable = True
time_cycle = 86400
pid_folder = /srv/slapgrid/var/run
use_quota = False
`;

/** What register puts into the template, in the reference's order of replacement. */
export interface NodeConfigurationValues {
  computer_id: string;
  master_url: string;
  key_file: string;
  cert_file: string;
  certificate_repository_path: string;
  interface_name: string;
  ipv4_local_network: string;
  partition_amount: number;
  /** Written as Python prints booleans: True / False. */
  create_tap: boolean;
  software_root: string;
  instance_root: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The reference's substitution: for each key, every `\n<spaces>key<spaces>=…`
 * becomes `\nkey = value` (the leading whitespace may swallow blank lines
 * before the key, as the reference's regular expression does).
 */
export function fillTemplate(values: NodeConfigurationValues, template = NODE_CONFIGURATION_TEMPLATE): string {
  let text = template;
  for (const [key, raw] of Object.entries(values)) {
    const value = typeof raw === "boolean" ? (raw ? "True" : "False") : String(raw);
    text = text.replace(new RegExp(`\\n\\s*${escapeRegExp(key)}\\s*=.*`, "g"), () => `\n${key} = ${value}`);
  }
  return text;
}
