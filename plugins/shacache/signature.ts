/**
 * Shadir signatures (node-runtime.md §5.1): RSA PKCS#1 v1.5 over SHA-1 of the
 * UTF-8 entry text, base64. Signing uses `signature-private-key-file`;
 * checking tries every certificate of `signature-certificate-list`. All with
 * node:crypto, no external binary.
 */
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { SlapError, messageOf } from "../../core/errors.ts";

const CERT_MARKER = "-----BEGIN CERTIFICATE-----";

/** A certificate of the trust list, with the text it came from (for messages). */
export interface TrustedCertificate {
  pem: string;
  publicKey: KeyObject;
  subject: string;
}

/**
 * Split `signature-certificate-list` on the BEGIN marker as the reference
 * does, and load each block. Blocks that do not load are skipped and
 * reported through `onInvalid` (the reference logs them at INFO).
 */
export function parseCertificateList(
  text: string | string[] | undefined,
  onInvalid: (pem: string, reason: string) => void = () => {},
): TrustedCertificate[] {
  if (!text) return [];
  const blocks = Array.isArray(text)
    ? text
    : text
        .split(CERT_MARKER)
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => `${CERT_MARKER}\n${part}`);
  const out: TrustedCertificate[] = [];
  for (const pem of blocks) {
    try {
      // Continuation lines of slapos.cfg may keep their indentation: PEM parsers want it gone.
      const clean = pem
        .split("\n")
        .map((line) => line.trim())
        .join("\n");
      const certificate = new X509Certificate(clean);
      out.push({ pem: clean, publicKey: certificate.publicKey, subject: certificate.subject });
    } catch (error) {
      onInvalid(pem, messageOf(error));
    }
  }
  return out;
}

/** Load a PEM private key file; a missing or bad file is a one-line config error. */
export function loadPrivateKey(path: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new SlapError("config", `cannot read signature-private-key-file ${path}: ${messageOf(cause)}`, { cause });
  }
  try {
    return createPrivateKey(text);
  } catch (cause) {
    throw new SlapError("config", `signature-private-key-file ${path} is not a PEM private key: ${messageOf(cause)}`, {
      cause,
    });
  }
}

/** The signature of an entry text: base64 without newlines, or "" without a key (as the reference). */
export function signEntry(entry: string, key: KeyObject | undefined): string {
  if (!key) return "";
  return sign("sha1", Buffer.from(entry, "utf8"), key).toString("base64");
}

/** Base64 as Python's b64decode reads it by default: characters outside the alphabet are skipped. */
function decodeSignature(signature: string): Buffer {
  return Buffer.from(signature.replace(/[^A-Za-z0-9+/=]/g, ""), "base64");
}

/** True iff the signature is non-empty and verifies against any trusted certificate. */
export function verifyEntry(entry: string, signature: string, certificates: readonly TrustedCertificate[]): boolean {
  if (!signature) return false;
  const raw = decodeSignature(signature);
  if (!raw.length) return false;
  const data = Buffer.from(entry, "utf8");
  for (const certificate of certificates) {
    try {
      if (verify("sha1", data, certificate.publicKey, raw)) return true;
    } catch {
      // A key type that cannot verify RSA signatures: try the next one.
    }
  }
  return false;
}

/** Does any certificate of the list carry this private key's public half? */
export function keyMatchesCertificate(key: KeyObject, certificates: readonly TrustedCertificate[]): boolean {
  const wanted = createPublicKey(key).export({ type: "spki", format: "der" });
  return certificates.some((c) => c.publicKey.export({ type: "spki", format: "der" }).equals(wanted));
}
