/**
 * The two TIO schemas `node report` validates usage documents against
 * (node-runtime.md §4 steps 4–5, format-collect-cli.md §3), checked
 * natively: `computer_consumption.xsd` (a journal of transactions) and
 * `partition_consumption.xsd` (a consumption of movements). Element order
 * and counts are the schemas' sequences; quantities and prices are
 * xs:float as libxml2 reads them (what the reference's lxml accepts); text
 * elements hold no elements; undeclared attributes and a default namespace
 * are refused. plugins/tio/schema/*.xsd are the same schemas for xmllint,
 * and a test checks that both agree.
 */
import { parseXml, type XmlElement } from "../../slap/marshal/xml-reader.ts";

type Content = "string" | "float" | Particle[];

interface Particle {
  name: string;
  min: number;
  max: number;
  content: Content;
  attributes?: string[];
}

const one = (name: string, content: Content, attributes?: string[]): Particle => ({ name, min: 1, max: 1, content, attributes });
const optional = (name: string, content: Content): Particle => ({ name, min: 0, max: 1, content });
const many = (name: string, content: Content, min: number, attributes?: string[]): Particle => ({ name, min, max: Infinity, content, attributes });

const MOVEMENT: Particle[] = [
  one("resource", "string"),
  optional("title", "string"),
  optional("reference", "string"),
  one("quantity", "float"),
  one("price", "float"),
  one("VAT", "string"),
  many("category", "string", 0),
];

const TRANSACTION: Particle[] = [
  optional("title", "string"),
  one("start_date", "string"),
  one("stop_date", "string"),
  one("reference", "string"),
  one("currency", "string"),
  one("payment_mode", "string"),
  many("category", "string", 0),
  many("arrow", [optional("source", "string"), optional("destination", "string")], 1, ["type"]),
  many("movement", MOVEMENT, 1),
];

const JOURNAL = one("journal", [many("transaction", TRANSACTION, 1, ["type"])]);
const CONSUMPTION = one("consumption", [many("movement", MOVEMENT, 1)]);

/** xs:float as libxml2 parses it: leading blanks, NaN/INF/-INF exactly, else a decimal with an optional exponent. */
const FLOAT = /^[ \t\n\r]*(?:NaN|-?INF|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?[ \t\n\r]*)$/;

function check(element: XmlElement, particle: Particle, path: string): string | undefined {
  const where = `${path}/${element.name}`;
  const allowed = particle.attributes ?? [];
  for (const name of Object.keys(element.attributes)) {
    if (name === "xmlns" && element.attributes[name] !== "") return `${where}: a namespace is not allowed`;
    if (name.startsWith("xmlns")) continue;
    if (!allowed.includes(name)) return `${where}: attribute ${name} is not allowed`;
  }
  for (const name of allowed) if (!(name in element.attributes)) return `${where}: attribute ${name} is required`;
  if (typeof particle.content === "string") {
    if (element.children.length) return `${where}: must hold text only`;
    if (particle.content === "float" && !FLOAT.test(element.text)) return `${where}: ${JSON.stringify(element.text)} is not a float`;
    return undefined;
  }
  if (element.text.trim() !== "") return `${where}: text is not allowed here`;
  let index = 0;
  for (const child of particle.content) {
    let count = 0;
    while (index < element.children.length && element.children[index].name === child.name && count < child.max) {
      const problem = check(element.children[index], child, where);
      if (problem) return problem;
      index++;
      count++;
    }
    if (count < child.min) return `${where}: <${child.name}> expected${index < element.children.length ? `, not <${element.children[index].name}>` : ""}`;
  }
  if (index < element.children.length) return `${where}: <${element.children[index].name}> is not expected here`;
  return undefined;
}

function validate(xml: string, root: Particle): string | undefined {
  let element: XmlElement;
  try {
    element = parseXml(xml);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (element.name !== root.name) return `the root element is <${element.name}>, not <${root.name}>`;
  return check(element, root, "");
}

/** Why a document is not a valid computer usage journal (computer_consumption.xsd), or undefined when it is. */
export function computerConsumptionProblem(xml: string): string | undefined {
  return validate(xml, JOURNAL);
}

/** Why a document is not a valid partition consumption (partition_consumption.xsd), or undefined when it is. */
export function partitionConsumptionProblem(xml: string): string | undefined {
  return validate(xml, CONSUMPTION);
}
