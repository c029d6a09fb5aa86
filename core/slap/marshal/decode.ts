/**
 * marshal XML reader (`slapos.util.loads`): the reader half of
 * slap-protocol.md §2.1, with the safe loader's rule that only
 * `slapos.slap.slap` objects of four classes may be built. Strings get the
 * marshaller's second unescape. Anything else is a `marshal` SlapError.
 *
 * Two readers: the one-pass reader (one-pass.ts) reads what the wire
 * carries, several times faster; whatever it is not sure of goes to the tree
 * reader below (an element tree, then values), which defines what is
 * accepted and what every refusal says.
 */
import { SlapError } from "../../errors.ts";
import { readOnePass } from "./one-pass.ts";
import { ALLOWED_CLASSES, ALLOWED_MODULE, parseFloatText, parseIntText, refuse, secondUnescape } from "./scalars.ts";
import { parseXml, type XmlElement } from "./xml-reader.ts";
import { PyComplex, PyFloat, PyObject, PyTuple, pyDict, type PyDict, type PyValue } from "./values.ts";

export { ALLOWED_CLASSES, ALLOWED_MODULE };

/** Default limit on a document's size: bigger bodies are refused before parsing. */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

export interface LoadOptions {
  maxBytes?: number;
}

const parseInt = parseIntText;

class Reader {
  private readonly refs = new Map<string, PyValue>();

  private remember<T extends PyValue>(node: XmlElement, value: T): T {
    const id = node.attributes.id;
    if (id !== undefined) this.refs.set(id, value);
    return value;
  }

  private leaf(node: XmlElement): void {
    if (node.children.length) refuse(`<${node.name}> may not hold elements`);
  }

  private container(node: XmlElement): void {
    if (node.text.trim()) refuse(`<${node.name}> may not hold text`);
  }

  value(node: XmlElement): PyValue {
    switch (node.name) {
      case "none":
        this.leaf(node);
        return null;
      case "bool": {
        this.leaf(node);
        const n = parseInt(node.text, "bool");
        return Number(n) !== 0;
      }
      case "int":
      case "long":
        this.leaf(node);
        return parseInt(node.text, node.name);
      case "float":
        this.leaf(node);
        return new PyFloat(parseFloatText(node.text));
      case "complex": {
        this.leaf(node);
        const [real, imag, extra] = node.text.trim().split(/\s+/);
        if (real === undefined || imag === undefined || extra !== undefined) refuse("<complex> needs two numbers");
        return new PyComplex(parseFloatText(real), parseFloatText(imag));
      }
      case "string":
      case "unicode":
        this.leaf(node);
        return secondUnescape(node.text);
      case "tuple": {
        this.container(node);
        const tuple = new PyTuple();
        for (const child of node.children) tuple.push(this.value(child));
        return tuple;
      }
      case "list": {
        this.container(node);
        const list = this.remember(node, [] as PyValue[]);
        for (const child of node.children) list.push(this.value(child));
        return list;
      }
      case "set":
      case "frozenset": {
        this.container(node);
        const set = this.remember(node, new Set<PyValue>());
        for (const child of node.children) set.add(this.value(child));
        return set;
      }
      case "dictionary":
        return this.dictionary(node);
      case "object":
        return this.object(node);
      case "reference": {
        this.leaf(node);
        const id = node.attributes.id;
        if (id === undefined || !this.refs.has(id)) refuse(`<reference> to unknown id ${JSON.stringify(id)}`);
        return this.refs.get(id)!;
      }
      default:
        return refuse(`unknown element <${node.name}>`);
    }
  }

  private dictionary(node: XmlElement): PyDict | Map<PyValue, PyValue> {
    this.container(node);
    if (node.children.length % 2) refuse("<dictionary> has a key without a value");
    const keys: PyValue[] = [];
    const values: PyValue[] = [];
    for (let i = 0; i < node.children.length; i += 2) {
      keys.push(this.value(node.children[i]));
      values.push(this.value(node.children[i + 1]));
    }
    if (keys.every((k) => typeof k === "string")) {
      return this.remember(node, pyDict(keys.map((k, i) => [k as string, values[i]])));
    }
    return this.remember(node, new Map(keys.map((k, i) => [k, values[i]])));
  }

  private object(node: XmlElement): PyObject {
    this.container(node);
    const { module, class: className } = node.attributes;
    if (module !== ALLOWED_MODULE || !ALLOWED_CLASSES.has(className)) {
      refuse(`refusing to build ${module}.${className}: only ${ALLOWED_MODULE} objects are allowed`);
    }
    const [argsNode, stateNode, extra] = node.children;
    if (!argsNode || argsNode.name !== "tuple" || extra) refuse(`<object> must hold a <tuple> and a state`);
    const args = this.value(argsNode) as PyTuple;
    let state: PyDict = pyDict();
    if (stateNode) {
      const value = this.value(stateNode);
      if (typeof value !== "object" || value === null || value instanceof Map || Array.isArray(value)) {
        refuse("object state must be a dictionary with string keys");
      }
      state = value as PyDict;
    }
    return this.remember(node, new PyObject(module, className, args, state));
  }
}

function checkedText(document: string | Uint8Array, options: LoadOptions): string {
  const max = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  const size = typeof document === "string" ? document.length : document.byteLength;
  if (size > max) throw new SlapError("marshal", `marshal document of ${size} bytes is over the ${max}-byte limit`);
  try {
    return typeof document === "string" ? document : new TextDecoder("utf-8", { fatal: true }).decode(document);
  } catch {
    refuse("not valid UTF-8");
  }
}

/** The tree reader alone: what `loads` falls back to, and what the one-pass reader is checked against. */
export function loadsByTree(document: string | Uint8Array, options: LoadOptions = {}): PyValue {
  const root = parseXml(checkedText(document, options));
  if (root.name !== "marshal") refuse(`root element is <${root.name}>, not <marshal>`);
  if (root.text.trim()) refuse("<marshal> may not hold text");
  if (root.children.length !== 1) refuse(`<marshal> holds ${root.children.length} values, not one`);
  return new Reader().value(root.children[0]);
}

/** `slapos.util.loads`: a `<marshal>` document (text or UTF-8 bytes) to a value. */
export function loads(document: string | Uint8Array, options: LoadOptions = {}): PyValue {
  const text = checkedText(document, options);
  try {
    return readOnePass(text);
  } catch {
    return loadsByTree(text, { maxBytes: Infinity });
  }
}
