/**
 * The passlib schemes generate.password serves as `passwd-<scheme>`
 * (dashes for underscores): sha256_crypt and sha512_crypt (passlib's
 * default rounds), bcrypt (2b, cost 12), the LDAP forms and hex digests.
 */
import { createHash, randomBytes } from "node:crypto";
import { randomSalt, shaCrypt } from "./sha-crypt.ts";

type Hasher = (password: string) => string;

function ldapSalted(algorithm: string, tag: string, saltSize: number): Hasher {
  return (password) => {
    const salt = randomBytes(saltSize);
    const digest = createHash(algorithm).update(password, "utf8").update(salt).digest();
    return `{${tag}}` + Buffer.concat([digest, salt]).toString("base64");
  };
}

function hex(algorithm: string): Hasher {
  return (password) => createHash(algorithm).update(password, "utf8").digest("hex");
}

const SCHEMES: Record<string, Hasher> = {
  sha256_crypt: (p) => shaCrypt(256, p, randomSalt(16), 535000),
  sha512_crypt: (p) => shaCrypt(512, p, randomSalt(16), 656000),
  bcrypt: (p) => Bun.password.hashSync(p, { algorithm: "bcrypt", cost: 12 }),
  ldap_salted_sha1: ldapSalted("sha1", "SSHA", 4),
  ldap_salted_sha256: ldapSalted("sha256", "SSHA256", 8),
  ldap_salted_sha512: ldapSalted("sha512", "SSHA512", 8),
  ldap_sha1: (p) => "{SHA}" + createHash("sha1").update(p, "utf8").digest("base64"),
  ldap_md5: (p) => "{MD5}" + createHash("md5").update(p, "utf8").digest("base64"),
  hex_md5: hex("md5"),
  hex_sha1: hex("sha1"),
  hex_sha256: hex("sha256"),
  hex_sha512: hex("sha512"),
};

/** The hash of `password` for a passlib scheme name, or undefined for an unknown scheme. */
export function hashPassword(scheme: string, password: string): string | undefined {
  return SCHEMES[scheme]?.(password);
}
