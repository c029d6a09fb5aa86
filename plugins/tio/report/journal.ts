/**
 * The TIO journal builder (format-collect-cli.md §2.5, §3): a tiny element
 * tree serialised as lxml's `tostring` serialises the reference's, so that
 * the bytes are the same — compact, an element whose text was set to ""
 * written `<VAT></VAT>`, one without text or children self-closed
 * (`<arrow type="Destination"/>`), non-ASCII as decimal character
 * references, and the declaration `<?xml version='1.0' encoding='utf-8'?>`
 * glued to the root.
 */

export interface XmlNode {
  name: string;
  attributes: Array<[string, string]>;
  /** null: never set (self-closes when childless); "": set empty. */
  text: string | null;
  children: XmlNode[];
}

function element(name: string, text: string | null = null): XmlNode {
  return { name, attributes: [], text, children: [] };
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x00-\x7f]/gu, (c) => `&#${c.codePointAt(0)};`);
}

function escapeText(text: string): string {
  return asciiOnly(text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;"));
}

function escapeAttribute(text: string): string {
  return asciiOnly(
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/\n/g, "&#10;")
      .replace(/\r/g, "&#13;")
      .replace(/\t/g, "&#9;"),
  );
}

/** lxml's compact serialisation of a node. */
export function serialize(node: XmlNode): string {
  const attributes = node.attributes.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join("");
  if (node.text === null && node.children.length === 0) return `<${node.name}${attributes}/>`;
  return `<${node.name}${attributes}>${escapeText(node.text ?? "")}${node.children.map(serialize).join("")}</${node.name}>`;
}

export interface MovementInput {
  resource: string;
  title: string;
  quantity: string;
  reference: string;
  category: string;
}

/** The reference's `Journal`: transactions of movements. */
export class Journal {
  readonly root = element("journal");

  newTransaction(portalType = "Sale Packing List"): XmlNode {
    const transaction = element("transaction");
    transaction.attributes.push(["type", portalType]);
    this.root.children.push(transaction);
    return transaction;
  }

  setProperty(parent: XmlNode, name: string, value: string): XmlNode {
    const child = element(name, value);
    parent.children.push(child);
    return child;
  }

  /** An `<arrow type="…"/>` without source nor destination. */
  newArrow(transaction: XmlNode, type: string): XmlNode {
    const arrow = element("arrow");
    arrow.attributes.push(["type", type]);
    transaction.children.push(arrow);
    return arrow;
  }

  newMovement(transaction: XmlNode, input: MovementInput): XmlNode {
    const movement = element("movement");
    transaction.children.push(movement);
    this.setProperty(movement, "resource", input.resource);
    this.setProperty(movement, "title", input.title);
    this.setProperty(movement, "reference", input.reference);
    this.setProperty(movement, "quantity", input.quantity);
    this.setProperty(movement, "price", "0.0");
    this.setProperty(movement, "VAT", "");
    this.setProperty(movement, "category", input.category);
    return movement;
  }

  toXml(): string {
    return `<?xml version='1.0' encoding='utf-8'?>${serialize(this.root)}`;
  }
}
