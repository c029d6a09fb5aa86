/**
 * `slapos proxy show` (format-collect-cli.md §6.6): the master's tables as
 * the reference prints them (prettytable, tables named with the
 * reference's schema suffix, `computer17`…), published parameters and
 * addresses; `--json` for the same data as JSON. Reads the database
 * without changing it; on a terminal the text goes through $PAGER.
 */
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { CommandContext } from "../../cli/command.ts";
import { SlapError } from "../../errors.ts";
import { floatRepr } from "../../slap/marshal/float-repr.ts";
import { xml2dict } from "../../slap/param-xml.ts";
import { currentVersion, SCHEMA_VERSION } from "../db/schema.ts";
import { renderTable } from "./table.ts";

const SUFFIX = "17";
type Row = Record<string, unknown>;

export function databaseUriOf(ctx: CommandContext): string {
  const cli = ctx.options["database-uri"];
  if (typeof cli === "string" && cli) return cli;
  for (const section of ctx.config.sections()) {
    if (section !== "slapproxy" && section !== "slapos") continue;
    const value = ctx.config.get(section, "database_uri");
    if (value) return value;
  }
  throw new SlapError("config", "database-uri is required.");
}

function cell(column: string, value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (column === "timestamp" && typeof value === "number") return floatRepr(value);
  return String(value);
}

function table(lines: string[], name: string, rows: Row[], skip: string[] = [], columns?: string[]): void {
  const label = `${name}${SUFFIX}`;
  if (!rows.length) {
    lines.push(`table ${label}: empty`);
    return;
  }
  const shown = (columns ?? Object.keys(rows[0])).filter((c) => !skip.includes(c));
  lines.push(skip.length ? `table ${label}: skipping ${skip.join(", ")}` : `table ${label}`);
  lines.push(...renderTable(shown, rows.map((row) => shown.map((c) => cell(c, row[c])))));
}

function prettyUnderscore(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)), null, 2)
      .split("\n")
      .map((l) => l.trimEnd())
      .join("\n");
  } catch {
    return text;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Row)[k])]));
  }
  return value;
}

function parameterText(name: string, text: string | null): string | null {
  if (text && (name === "ssh-key" || name === "ssh-public-key")) return `${text.slice(0, 20)}...${text.slice(-20)}`;
  if (name === "_" && text !== null) return prettyUnderscore(text);
  return text;
}

interface Data {
  computers: Row[];
  software: Row[];
  partitions: Row[];
  slaves: Row[];
  params: Array<{ reference: string; partition_reference: string | null; software_type: string | null; parameters: Record<string, string | null> }>;
  network: Record<string, string[]>;
}

function read(db: Database): Data {
  const all = (sql: string) => db.query(sql).all() as Row[];
  const software = all("SELECT * FROM software ORDER BY rowid").map((row) => ({
    ...row,
    md5: createHash("md5").update(String(row.url)).digest("hex"),
  }));
  const params: Data["params"] = [];
  for (const row of all("SELECT reference, partition_reference, software_type, connection_xml FROM partition ORDER BY rowid")) {
    if (!row.connection_xml) continue;
    params.push({
      reference: row.reference as string,
      partition_reference: row.partition_reference as string | null,
      software_type: row.software_type as string | null,
      parameters: xml2dict(row.connection_xml as string),
    });
  }
  const network: Record<string, string[]> = {};
  for (const row of all(
    "SELECT partition_reference, address FROM partition_network WHERE partition_reference NOT IN (SELECT reference FROM partition WHERE slap_state='free') ORDER BY rowid",
  )) {
    (network[row.partition_reference as string] ??= []).push(row.address as string);
  }
  return {
    computers: all("SELECT * FROM computer ORDER BY rowid"),
    software,
    partitions: all("SELECT * FROM partition WHERE slap_state<>'free' ORDER BY rowid"),
    slaves: all("SELECT * FROM slave ORDER BY rowid"),
    params,
    network,
  };
}

const SECTIONS = ["computers", "software", "partitions", "slaves", "params", "network"] as const;

function render(data: Data, sections: readonly (typeof SECTIONS)[number][]): string {
  const blocks = sections.map((section) => {
    const lines: string[] = [];
    if (section === "computers") table(lines, "computer", data.computers, [], ["reference", "address", "netmask"]);
    else if (section === "software") table(lines, "software", data.software);
    else if (section === "partitions") table(lines, "partition", data.partitions, ["xml", "connection_xml", "slave_instance_list"]);
    else if (section === "slaves") table(lines, "slave", data.slaves, ["connection_xml"]);
    else if (section === "params") {
      for (const p of data.params) {
        lines.push(`${p.reference}: ${p.partition_reference} (type ${p.software_type})`);
        for (const [name, text] of Object.entries(p.parameters)) lines.push(`    ${name} = ${parameterText(name, text)}`);
      }
    } else {
      for (const reference of Object.keys(data.network).sort()) lines.push(`${reference}: ${data.network[reference].join(", ")}`);
    }
    return lines;
  });
  return blocks.map((lines) => lines.map((l) => `${l}\n`).join("")).join(" \n");
}

async function page(text: string): Promise<void> {
  const pager = process.env.PAGER || "less --quit-if-one-screen --no-init";
  const child = Bun.spawn(["sh", "-c", pager], { stdin: new TextEncoder().encode(text), stdout: "inherit", stderr: "inherit" });
  await child.exited;
}

export async function runProxyShow(ctx: CommandContext): Promise<number> {
  const path = databaseUriOf(ctx);
  if (!existsSync(path)) throw new SlapError("config", `no master database at ${path}`);
  const db = new Database(path, { readonly: true });
  let data: Data;
  try {
    const version = currentVersion(db);
    if (version === 0) throw new SlapError("config", `${path} is not a slapos master database yet: start the master once (slapos proxy start) to take it over`);
    if (version > SCHEMA_VERSION) throw new SlapError("config", `${path} has schema version ${version}, written by a newer slapos`);
    data = read(db);
  } finally {
    db.close();
  }
  const chosen = SECTIONS.filter((s) => ctx.options[s]);
  const sections = chosen.length ? chosen : SECTIONS;
  if (ctx.options.json) {
    const out: Record<string, unknown> = {};
    for (const s of sections) out[s] = data[s];
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const text = render(data, sections);
  if (process.stdout.isTTY) await page(text);
  else process.stdout.write(text);
  return 0;
}
