/**
 * Issuing a node certificate signed by the master's CA, with nothing but
 * node:crypto: a small DER writer builds the TBSCertificate, the CA key
 * signs it. Enough X.509 for a client certificate (CN and emailAddress in
 * the subject, a validity window, the node's public key, no extensions
 * beyond basicConstraints CA:FALSE).
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { SlapError } from "../../errors.ts";

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);

function oid(text: string): Buffer {
  const parts = text.split(".").map(Number);
  const bytes = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift((v & 0x7f) | (chunk.length ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integer(bytes: Buffer): Buffer {
  let body = bytes;
  while (body.length > 1 && body[0] === 0 && body[1] < 0x80) body = body.subarray(1);
  if (body[0] >= 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

function time(date: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, "0");
  const year = date.getUTCFullYear();
  const text = `${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return year < 2050 ? tlv(0x17, Buffer.from(`${p(year % 100)}${text}`)) : tlv(0x18, Buffer.from(`${year}${text}`));
}

/** Read one TLV at `at`: its tag, where its content starts and ends. */
function readTlv(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + der[start + i];
    start += count;
  }
  return { tag, start, end: start + len };
}

/** The DER of a certificate's subject Name, to be the issuer of what it signs. */
export function subjectDer(certificateDer: Buffer): Buffer {
  const certificate = readTlv(certificateDer, 0);
  const tbs = readTlv(certificateDer, certificate.start);
  let at = tbs.start;
  const fields: Array<{ start: number; end: number; tag: number; at: number }> = [];
  while (at < tbs.end) {
    const field = readTlv(certificateDer, at);
    fields.push({ ...field, at });
    at = field.end;
  }
  const offset = fields[0].tag === 0xa0 ? 1 : 0; // [0] version is optional
  const subject = fields[offset + 4];
  return certificateDer.subarray(subject.at, subject.end);
}

function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!match) throw new SlapError("config", `no ${label} found in the CA certificate file`);
  return Buffer.from(match[1].replace(/\s+/g, ""), "base64");
}

function pem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export interface IssuedCertificate {
  /** Text header (with `Subject: CN=<cn>/emailAddress=...`) then the PEM, as a real master answers. */
  certificate: string;
  /** PKCS#8 PEM private key of the node. */
  key: string;
  serial: string;
}

function signatureAlgorithm(caKey: KeyObject): { der: Buffer; digest: string | null } {
  const type = caKey.asymmetricKeyType;
  if (type === "rsa") return { der: seq(oid("1.2.840.113549.1.1.11"), tlv(0x05)), digest: "sha256" };
  if (type === "ec") return { der: seq(oid("1.2.840.10045.4.3.2")), digest: "sha256" };
  if (type === "ed25519") return { der: seq(oid("1.3.101.112")), digest: null };
  throw new SlapError("config", `the CA key is of type ${type}; RSA, EC or Ed25519 keys can sign node certificates`);
}

/** Issue a client certificate for `commonName`, signed by the CA. */
export function issueCertificate(caCertPem: string, caKeyPem: string, commonName: string, email: string, years = 5): IssuedCertificate {
  const caKey = createPrivateKey(caKeyPem);
  const caDer = pemBody(caCertPem, "CERTIFICATE");
  const ca = new X509Certificate(caDer);
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const serialBytes = randomBytes(16);
  serialBytes[0] &= 0x7f;
  const algorithm = signatureAlgorithm(caKey);
  const now = new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + years * 365 * 24 * 3600 * 1000);
  const subject = seq(
    set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(commonName, "utf8")))),
    set(seq(oid("1.2.840.113549.1.9.1"), tlv(0x16, Buffer.from(email, "ascii")))),
  );
  const basicConstraints = seq(oid("2.5.29.19"), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq()));
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serialBytes),
    algorithm.der,
    subjectDer(caDer),
    seq(time(notBefore), time(notAfter)),
    subject,
    publicKey.export({ type: "spki", format: "der" }),
    tlv(0xa3, seq(basicConstraints)),
  );
  const signature = sign(algorithm.digest, tbs, caKey);
  const certificate = seq(tbs, algorithm.der, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const serial = serialBytes.toString("hex");
  const header =
    `Certificate:\n    Data:\n        Subject: CN=${commonName}/emailAddress=${email}\n` +
    `        Serial Number: ${serial}\n        Issuer: ${ca.subject.replaceAll("\n", ", ")}\n` +
    `        Not Before: ${notBefore.toUTCString()}\n        Not After : ${notAfter.toUTCString()}\n`;
  return {
    certificate: header + pem(certificate, "CERTIFICATE"),
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    serial,
  };
}
