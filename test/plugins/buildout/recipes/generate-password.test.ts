/** slapos.cookbook:generate.password through real profiles, and its hash schemes. */
import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashPassword } from "../../../../plugins/buildout/recipes/util/password-hash.ts";
import { shaCrypt } from "../../../../plugins/buildout/recipes/util/sha-crypt.ts";
import { installOk, installedText, project, read } from "./helpers.ts";

const PROFILE = `[buildout]
parts = use

[gen]
recipe = slapos.cookbook:generate.password
bytes = 24

[use]
recipe = slapos.recipe.template
inline = \${gen:passwd}
output = \${buildout:directory}/password.txt
`;

test("a generated password is stable across runs and kept in its storage file", async () => {
  const dir = project(PROFILE);
  await installOk(dir);
  const password = read(dir, "password.txt");
  expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
  expect(JSON.parse(read(dir, "parts/gen"))).toEqual({ "": password });
  expect(read(dir, "parts/gen")).toBe(`{"": "${password}"}`);
  await installOk(dir);
  expect(read(dir, "password.txt")).toBe(password);
});

test("the password stays out of .installed.cfg", async () => {
  const dir = project(PROFILE);
  await installOk(dir);
  const password = read(dir, "password.txt");
  const gen = installedText(dir).split(/^\[/m).find((s) => s.startsWith("gen]")) ?? "";
  expect(gen).toContain("storage-path =");
  expect(gen).not.toContain(password);
});

test("an old plain-text storage file is read as the password", async () => {
  const dir = project(PROFILE.replace("bytes = 24", "storage-path = ${buildout:directory}/old-pass"), { "old-pass": "legacyPassword\n" });
  await installOk(dir);
  expect(read(dir, "password.txt")).toBe("legacyPassword");
  expect(read(dir, "old-pass")).toBe('{"": "legacyPassword"}');
});

test("a given passwd replaces the stored one", async () => {
  const dir = project(PROFILE.replace("bytes = 24", "passwd = chosen"));
  await installOk(dir);
  expect(read(dir, "password.txt")).toBe("chosen");
  expect(read(dir, "parts/gen")).toBe('{"": "chosen"}');
});

test("with create-once false the storage file belongs to the part", async () => {
  const dir = project(PROFILE.replace("bytes = 24", "create-once = false"));
  await installOk(dir);
  expect(existsSync(join(dir, "parts/gen"))).toBe(true);
  writeFileSync(join(dir, "buildout.cfg"), "[buildout]\nparts =\n");
  await installOk(dir);
  expect(existsSync(join(dir, "parts/gen"))).toBe(false);
});

test("passwd-<scheme> options are computed on demand and stored", async () => {
  const dir = project(PROFILE.replace("inline = ${gen:passwd}", "inline = ${gen:passwd}|${gen:passwd-sha512-crypt}"));
  await installOk(dir);
  const [password, hash] = read(dir, "password.txt").split("|") as [string, string];
  expect(hash).toMatch(/^\$6\$rounds=656000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  const salt = hash.split("$")[3]!;
  expect(shaCrypt(512, password, salt, 656000)).toBe(hash);
  expect(JSON.parse(readFileSync(join(dir, "parts/gen"), "utf8"))["passwd-sha512-crypt"]).toBe(hash);
  await installOk(dir);
  expect(read(dir, "password.txt")).toBe(`${password}|${hash}`);
});

test("sha-crypt agrees with openssl passwd for $5$ and $6$", () => {
  for (const [flag, bits] of [["-5", 256], ["-6", 512]] as const) {
    const openssl = Bun.spawnSync(["openssl", "passwd", flag, "-salt", "0123456789abcdef", "s3cret pass"]);
    expect(shaCrypt(bits, "s3cret pass", "0123456789abcdef", 5000)).toBe(openssl.stdout.toString().trim());
  }
});

test("hash schemes: sha256-crypt rounds, bcrypt, ldap-salted-sha1, hex", async () => {
  expect(hashPassword("sha256_crypt", "pw")).toMatch(/^\$5\$rounds=535000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$/);
  const bcrypt = hashPassword("bcrypt", "pw")!;
  expect(bcrypt).toMatch(/^\$2b\$12\$/);
  expect(await Bun.password.verify("pw", bcrypt)).toBe(true);
  const ssha = Buffer.from(hashPassword("ldap_salted_sha1", "pw")!.slice("{SSHA}".length), "base64");
  const salt = ssha.subarray(20);
  expect(salt.length).toBe(4);
  expect(createHash("sha1").update("pw").update(salt).digest().equals(ssha.subarray(0, 20))).toBe(true);
  expect(hashPassword("hex_sha256", "pw")).toBe(createHash("sha256").update("pw").digest("hex"));
  expect(hashPassword("no_such_scheme", "pw")).toBeUndefined();
});
