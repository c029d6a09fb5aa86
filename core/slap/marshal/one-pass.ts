/**
 * The fast marshal reader: one pass over the text, values built as their
 * tags are met, with no element tree, no regex per token and no copy of the
 * text but each leaf's own. It reads the documents xml_marshaller and we
 * write — and gives up (throws anything) on whatever it is not sure of:
 * whitespace other than XML's, closing tags with spaces, comments, unknown
 * tags, any refusal. `loads` then asks the tree reader (decode.ts), which is
 * the definition of what is accepted and of every error message; so this
 * reader only has to agree with it on documents both accept
 * (test/core/slap/marshal-one-pass.test.ts checks that they do).
 */
import { decodeEntities } from "./xml-reader.ts";
import { ALLOWED_CLASSES, ALLOWED_MODULE, parseFloatText, parseShortInt, secondUnescape } from "./scalars.ts";
import { PyComplex, PyFloat, PyObject, PyTuple, pyDict, type PyDict, type PyValue } from "./values.ts";

/** Thrown to hand the document to the tree reader. */
const GIVE_UP = new Error("not for the one-pass reader");

function giveUp(): never {
  throw GIVE_UP;
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const EQUALS = 61;
const QUOTE = 34;
const APOSTROPHE = 39;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** [A-Za-z_] */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** [\w.:-] */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 95 || c === 46 || c === 45;
}

/** Depth beyond which the tree reader refuses (its default). */
const MAX_DEPTH = 256;

// Tags, as small numbers.
const enum Tag {
  Other,
  String,
  Unicode,
  Int,
  Long,
  None,
  Bool,
  Float,
  Complex,
  Tuple,
  List,
  Set,
  FrozenSet,
  Dictionary,
  Object,
  Reference,
  Marshal,
}

/** Does `source` hold `name` at `at`? (A loop the JIT inlines beats startsWith on short names.) */
function holdsAt(source: string, at: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (source.charCodeAt(at + i) !== name.charCodeAt(i)) return false;
  return true;
}

/** Tag names, by Tag. */
const NAMES = ["", "string", "unicode", "int", "long", "none", "bool", "float", "complex", "tuple", "list", "set", "frozenset", "dictionary", "object", "reference", "marshal"];

/** The tag whose local name is `source[start, end)`. */
function tagOf(source: string, start: number, end: number): Tag {
  let tag: Tag;
  switch (source.charCodeAt(start)) {
    case 115: // s
      tag = end - start === 6 ? Tag.String : Tag.Set;
      break;
    case 105: // i
      tag = Tag.Int;
      break;
    case 100: // d
      tag = Tag.Dictionary;
      break;
    case 108: // l
      tag = source.charCodeAt(start + 1) === 105 ? Tag.List : Tag.Long;
      break;
    case 110: // n
      tag = Tag.None;
      break;
    case 116: // t
      tag = Tag.Tuple;
      break;
    case 111: // o
      tag = Tag.Object;
      break;
    case 114: // r
      tag = Tag.Reference;
      break;
    case 102: // f
      tag = end - start === 5 ? Tag.Float : Tag.FrozenSet;
      break;
    case 98: // b
      tag = Tag.Bool;
      break;
    case 117: // u
      tag = Tag.Unicode;
      break;
    case 99: // c
      tag = Tag.Complex;
      break;
    case 109: // m
      tag = Tag.Marshal;
      break;
    default:
      return Tag.Other;
  }
  const name = NAMES[tag];
  return name.length === end - start && holdsAt(source, start, name) ? tag : Tag.Other;
}

/** Ids `i<N>` (N canonical decimal, not too big) are kept in an array; any other id in a Map. */
const MAX_NUMBERED_ID = 1 << 20;

/** N of an id spelled `i<N>` in canonical decimal, else -1. */
function idNumber(text: string, from: number, to: number): number {
  if (to - from < 2 || to - from > 8 || text.charCodeAt(from) !== 105 /* i */) return -1;
  if (text.charCodeAt(from + 1) === 48 && to - from > 2) return -1; // leading zero
  let n = 0;
  for (let i = from + 1; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n < MAX_NUMBERED_ID ? n : -1;
}

/** Dictionary keys met lately, by a cheap hash of their text (see OnePass.key). */
const KEY_SLOTS = 512;
const MAX_KEPT_KEY = 64;
const keptKeys: Array<string | undefined> = new Array(KEY_SLOTS);

class OnePass {
  private at = 0;
  /** Where the next '&' at or after the last leaf's start is (the length when none): texts without one skip decoding. */
  private nextAmpersand = -1;
  private numbered: PyValue[] | undefined;
  private named: Map<string, PyValue> | undefined;
  // The start tag just read.
  private tag = Tag.Other;
  /** The qualified name when it has a prefix (the end tag must repeat it), else "". */
  private prefixed = "";
  private tagName = "";
  private idNumber = -1;
  private idText: string | undefined;
  private module: string | undefined;
  private className: string | undefined;
  private selfClosing = false;

  constructor(private readonly source: string) {}

  private skipSpace(): void {
    const source = this.source;
    let at = this.at;
    while (isSpace(source.charCodeAt(at))) at++;
    this.at = at;
  }

  /** Read `<name attributes>` or `<name attributes/>` at `at`. */
  private startTag(): void {
    const source = this.source;
    let at = this.at;
    if (source.charCodeAt(at) !== LT) giveUp();
    at++;
    const nameStart = at;
    if (!isNameStart(source.charCodeAt(at))) giveUp();
    at++;
    let colon = -1;
    for (;;) {
      const c = source.charCodeAt(at);
      if (!isNameChar(c)) break;
      if (c === COLON && colon < 0) colon = at;
      at++;
    }
    const localStart = colon < 0 ? nameStart : colon + 1;
    const tag = tagOf(source, localStart, at);
    if (tag === Tag.Other) giveUp();
    this.tag = tag;
    this.tagName = NAMES[tag];
    this.prefixed = colon < 0 ? "" : source.slice(nameStart, at);
    this.idNumber = -1;
    this.idText = this.module = this.className = undefined;
    for (;;) {
      const c = source.charCodeAt(at);
      if (c === GT) {
        this.selfClosing = false;
        this.at = at + 1;
        return;
      }
      if (c === SLASH) {
        if (source.charCodeAt(at + 1) !== GT) giveUp();
        this.selfClosing = true;
        this.at = at + 2;
        return;
      }
      if (!isSpace(c)) giveUp();
      while (isSpace(source.charCodeAt(at))) at++;
      const next = source.charCodeAt(at);
      if (next === GT || next === SLASH) continue;
      at = this.attribute(at);
    }
  }

  /** One `name="value"` (XML spaces around `=` only); keeps what the reader uses. */
  private attribute(at: number): number {
    const source = this.source;
    const nameStart = at;
    if (!isNameStart(source.charCodeAt(at))) giveUp();
    at++;
    while (isNameChar(source.charCodeAt(at))) at++;
    const nameLength = at - nameStart;
    while (isSpace(source.charCodeAt(at))) at++;
    if (source.charCodeAt(at) !== EQUALS) giveUp();
    at++;
    while (isSpace(source.charCodeAt(at))) at++;
    const quote = source.charCodeAt(at);
    if (quote !== QUOTE && quote !== APOSTROPHE) giveUp();
    const from = at + 1;
    const end = source.indexOf(quote === QUOTE ? '"' : "'", from);
    if (end < 0) giveUp();
    let hasAmpersand = false;
    for (let i = from; i < end; i++) {
      const c = source.charCodeAt(i);
      if (c === LT) giveUp();
      if (c === 38) hasAmpersand = true;
    }
    if (nameLength === 2 && holdsAt(source, nameStart, "id")) {
      if (hasAmpersand) {
        const text = decodeEntities(source.slice(from, end));
        this.idNumber = idNumber(text, 0, text.length);
        this.idText = this.idNumber < 0 ? text : undefined;
      } else {
        this.idNumber = idNumber(source, from, end);
        this.idText = this.idNumber < 0 ? source.slice(from, end) : undefined;
      }
    } else if (nameLength === 6 && holdsAt(source, nameStart, "module")) {
      this.module = hasAmpersand ? decodeEntities(source.slice(from, end)) : source.slice(from, end);
    } else if (nameLength === 5 && holdsAt(source, nameStart, "class")) {
      this.className = hasAmpersand ? decodeEntities(source.slice(from, end)) : source.slice(from, end);
    } else if (hasAmpersand) {
      decodeEntities(source.slice(from, end)); // the tree reader refuses a bad reference in any attribute
    }
    return end + 1;
  }

  /** Expect the end tag of the element whose start tag was read as (name, prefixed). */
  private endTag(name: string, prefixed: string): void {
    const source = this.source;
    const at = this.at;
    const qualified = prefixed || name;
    if (
      source.charCodeAt(at) !== LT ||
      source.charCodeAt(at + 1) !== SLASH ||
      !holdsAt(source, at + 2, qualified) ||
      source.charCodeAt(at + 2 + qualified.length) !== GT
    ) {
      giveUp();
    }
    this.at = at + 3 + qualified.length;
  }

  /** The text of a leaf (references decoded once), up to and including its end tag. */
  private leafText(): string {
    if (this.selfClosing) return "";
    const source = this.source;
    const from = this.at;
    const next = source.indexOf("<", from);
    if (next < 0) giveUp();
    this.at = next;
    this.endTag(this.tagName, this.prefixed);
    if (this.nextAmpersand < from) {
      this.nextAmpersand = source.indexOf("&", from);
      if (this.nextAmpersand < 0) this.nextAmpersand = source.length;
    }
    const text = source.slice(from, next);
    return this.nextAmpersand < next ? decodeEntities(text) : text;
  }

  /** A string's text: both unescapes, or none when the text holds no '&'. */
  private stringText(): string {
    if (this.selfClosing) return "";
    const from = this.at;
    const text = this.leafText();
    return this.nextAmpersand < this.at ? secondUnescape(text) : text;
  }

  /** Between a container's children: XML spaces only, then '<'. Answers whether the end tag follows. */
  private atEnd(): boolean {
    this.skipSpace();
    const source = this.source;
    if (source.charCodeAt(this.at) !== LT) giveUp();
    return source.charCodeAt(this.at + 1) === SLASH;
  }

  private remember<T extends PyValue>(number: number, text: string | undefined, value: T): T {
    if (number >= 0) (this.numbered ??= [])[number] = value;
    else if (text !== undefined) (this.named ??= new Map()).set(text, value);
    return value;
  }

  private recall(number: number, text: string | undefined): PyValue {
    if (number >= 0) {
      const value = this.numbered?.[number];
      if (value === undefined) giveUp();
      return value;
    }
    if (text === undefined || !this.named?.has(text)) giveUp();
    return this.named.get(text)!;
  }

  /** The value whose start tag begins at `at`. */
  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) giveUp();
    this.startTag();
    return this.valueOfTag(depth);
  }

  /** The value whose start tag was just read. */
  private valueOfTag(depth: number): PyValue {
    switch (this.tag) {
      case Tag.String:
      case Tag.Unicode:
        return this.stringText();
      case Tag.Int:
      case Tag.Long:
        return parseShortInt(this.leafText(), this.tagName);
      case Tag.None:
        this.leafText();
        return null;
      case Tag.Bool:
        return Number(parseShortInt(this.leafText(), "bool")) !== 0;
      case Tag.Float:
        return new PyFloat(parseFloatText(this.leafText()));
      case Tag.Complex: {
        const [real, imag, extra] = this.leafText().trim().split(/\s+/);
        if (real === undefined || imag === undefined || extra !== undefined) giveUp();
        return new PyComplex(parseFloatText(real), parseFloatText(imag));
      }
      case Tag.Tuple: {
        const tuple = new PyTuple();
        if (this.selfClosing) return tuple;
        const { tagName, prefixed } = this;
        while (!this.atEnd()) tuple.push(this.value(depth + 1));
        this.endTag(tagName, prefixed);
        return tuple;
      }
      case Tag.List: {
        const list = this.remember(this.idNumber, this.idText, [] as PyValue[]);
        if (this.selfClosing) return list;
        const { tagName, prefixed } = this;
        while (!this.atEnd()) list.push(this.value(depth + 1));
        this.endTag(tagName, prefixed);
        return list;
      }
      case Tag.Set:
      case Tag.FrozenSet: {
        const set = this.remember(this.idNumber, this.idText, new Set<PyValue>());
        if (this.selfClosing) return set;
        const { tagName, prefixed } = this;
        while (!this.atEnd()) set.add(this.value(depth + 1));
        this.endTag(tagName, prefixed);
        return set;
      }
      case Tag.Dictionary:
        return this.dictionary(depth);
      case Tag.Object:
        return this.object(depth);
      case Tag.Reference: {
        const { idNumber, idText } = this;
        this.leafText();
        return this.recall(idNumber, idText);
      }
      default:
        return giveUp();
    }
  }

  /**
   * A dictionary key. A plain `<string>` key is looked up among the keys
   * met before (in any document): the same key is then the same string, and
   * the dictionary finds its property name instead of hashing a new one.
   */
  private key(depth: number): PyValue {
    const source = this.source;
    const at = this.at;
    if (depth <= MAX_DEPTH && holdsAt(source, at, "<string>")) {
      const from = at + 8;
      const end = source.indexOf("<", from);
      if (end >= 0 && end - from <= MAX_KEPT_KEY && holdsAt(source, end, "</string>")) {
        if (this.nextAmpersand < from) {
          this.nextAmpersand = source.indexOf("&", from);
          if (this.nextAmpersand < 0) this.nextAmpersand = source.length;
        }
        if (this.nextAmpersand > end) {
          this.at = end + 9;
          const length = end - from;
          const slot = (length * 31 + source.charCodeAt(from) * 7 + source.charCodeAt(end - 1)) & (KEY_SLOTS - 1);
          const known = keptKeys[slot];
          if (known !== undefined && known.length === length && holdsAt(source, from, known)) return known;
          return (keptKeys[slot] = source.slice(from, end));
        }
      }
    }
    return this.value(depth);
  }

  private dictionary(depth: number): PyDict | Map<PyValue, PyValue> {
    const { idNumber, idText, tagName, prefixed } = this;
    if (this.selfClosing) return this.remember(idNumber, idText, pyDict());
    const dict = pyDict();
    let items: PyValue[] | undefined; // once a key is not a string: every item, for a Map
    const pending: PyValue[] = [];
    while (!this.atEnd()) {
      const key = this.key(depth + 1);
      if (this.atEnd()) giveUp(); // a key without a value
      const value = this.value(depth + 1);
      if (items === undefined && typeof key === "string") {
        dict[key] = value;
        pending.push(key, value);
      } else {
        items ??= pending;
        items.push(key, value);
      }
    }
    this.endTag(tagName, prefixed);
    if (items === undefined) return this.remember(idNumber, idText, dict);
    const map = new Map<PyValue, PyValue>();
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    return this.remember(idNumber, idText, map);
  }

  private object(depth: number): PyObject {
    const { idNumber, idText, module, className, tagName, prefixed } = this;
    if (module !== ALLOWED_MODULE || className === undefined || !ALLOWED_CLASSES.has(className) || this.selfClosing) giveUp();
    if (this.atEnd() || depth + 1 > MAX_DEPTH) giveUp();
    this.startTag();
    if (this.tag !== Tag.Tuple) giveUp();
    const args = this.valueOfTag(depth + 1) as PyTuple;
    let state: PyDict = pyDict();
    if (!this.atEnd()) {
      const value = this.value(depth + 1);
      if (typeof value !== "object" || value === null || value instanceof Map || Array.isArray(value)) giveUp();
      state = value as PyDict;
      if (!this.atEnd()) giveUp();
    }
    this.endTag(tagName, prefixed);
    return this.remember(idNumber, idText, new PyObject(module, className, args, state));
  }

  /** The whole document: prolog, `<marshal>`, one value, `</marshal>`, nothing after. */
  document(): PyValue {
    const source = this.source;
    if (source.charCodeAt(0) === 0xfeff) this.at = 1;
    this.skipSpace();
    if (source.startsWith("<?xml", this.at)) {
      const end = source.indexOf("?>", this.at);
      if (end < 0) giveUp();
      this.at = end + 2;
    }
    this.skipSpace();
    this.startTag();
    if (this.tag !== Tag.Marshal || this.selfClosing) giveUp();
    const { tagName, prefixed } = this;
    if (this.atEnd()) giveUp();
    const value = this.value(1);
    if (!this.atEnd()) giveUp();
    this.endTag(tagName, prefixed);
    this.skipSpace();
    if (this.at < source.length) giveUp();
    return value;
  }
}

/** The value of a marshal document, or a throw of anything when this reader is not sure. */
export function readOnePass(text: string): PyValue {
  return new OnePass(text).document();
}
