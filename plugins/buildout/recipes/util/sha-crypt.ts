/**
 * SHA-crypt (Ulrich Drepper's `$5$` / `$6$` scheme, glibc crypt(3)), as
 * passlib's sha256_crypt / sha512_crypt produce it: 16 salt characters and
 * passlib's default rounds, written `$6$rounds=N$salt$hash`.
 */
import { createHash, randomInt } from "node:crypto";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const ORDER_512 = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29],
  [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16],
  [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];
const ORDER_256 = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]];

function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = "";
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return out;
}

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

/** crypt(password, "$5$" or "$6$" + rounds + salt). */
export function shaCrypt(bits: 256 | 512, password: string, salt: string, rounds: number): string {
  const algorithm = bits === 512 ? "sha512" : "sha256";
  const P = Buffer.from(password, "utf8");
  const S = Buffer.from(salt.slice(0, 16), "utf8");
  const H = (...parts: Buffer[]) => {
    const h = createHash(algorithm);
    for (const part of parts) h.update(part);
    return h.digest();
  };
  const B = H(P, S, P);
  const a = createHash(algorithm);
  a.update(P);
  a.update(S);
  a.update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();
  const dp = createHash(algorithm);
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pp = repeatTo(dp.digest(), P.length);
  const ds = createHash(algorithm);
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sp = repeatTo(ds.digest(), S.length);
  let C = A;
  for (let i = 0; i < rounds; i++) {
    const c = createHash(algorithm);
    c.update(i & 1 ? Pp : C);
    if (i % 3) c.update(Sp);
    if (i % 7) c.update(Pp);
    c.update(i & 1 ? C : Pp);
    C = c.digest();
  }
  let encoded = "";
  for (const [x, y, z] of bits === 512 ? ORDER_512 : ORDER_256) encoded += b64From24(C[x!]!, C[y!]!, C[z!]!, 4);
  encoded += bits === 512 ? b64From24(0, 0, C[63]!, 2) : b64From24(0, C[31]!, C[30]!, 3);
  const prefix = bits === 512 ? "$6$" : "$5$";
  const roundsPart = rounds === 5000 ? "" : `rounds=${rounds}$`;
  return `${prefix}${roundsPart}${S.toString("utf8")}$${encoded}`;
}

/** A random salt of hash64 characters. */
export function randomSalt(length = 16): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ITOA64[randomInt(64)];
  return out;
}

