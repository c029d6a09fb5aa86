/**
 * Refusals of a buildout configuration. `kind` is the class zc.buildout 2.13
 * would raise (the names `slapos buildout resolve` prints), the message says
 * where: file and line for syntax, section and option for evaluation.
 */
import { SlapError } from "../../../core/errors.ts";

export type BuildoutErrorKind =
  | "ParsingError"
  | "MissingSectionHeader"
  | "MissingSection"
  | "MissingOption"
  | "CircularReference"
  | "SubstitutionSyntax"
  | "MacroLoop"
  | "MacroMissingSection"
  | "RecursiveExtends"
  | "ExtendsNotFound"
  | "ConditionalExpressionError"
  | "InvalidBooleanOption"
  | "ExtendedByUnsupported"
  /** Any other refusal zc.buildout reports as a plain UserError. */
  | "UserError"
  /** A recipe string with more than one colon (Python's unpacking error). */
  | "ValueError"
  /** A file that is not UTF-8 (Python's open() fails reading it). */
  | "UnicodeDecodeError";

/** The SlapError code of every buildout refusal. */
export const BUILDOUT_ERROR = "buildout";

export class BuildoutError extends SlapError {
  readonly kind: BuildoutErrorKind;

  constructor(kind: BuildoutErrorKind, message: string, cause?: unknown) {
    super(BUILDOUT_ERROR, message, cause === undefined ? {} : { cause });
    this.name = "BuildoutError";
    this.kind = kind;
  }
}

export function isBuildoutError(error: unknown): error is BuildoutError {
  return error instanceof BuildoutError;
}
