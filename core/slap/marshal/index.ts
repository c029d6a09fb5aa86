/** marshal XML: the SLAP wire encoding. */
export { dumps, escapeText, compareCodePoints } from "./encode.ts";
export { loads, MAX_DOCUMENT_BYTES, type LoadOptions } from "./decode.ts";
export { floatRepr } from "./float-repr.ts";
export * from "./values.ts";
