/** Native tar.gz: archives GNU tar reads, archives GNU tar writes, and extraction that refuses to escape. */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTarGz } from "../../../core/archive/tar/create.ts";
import { extractTarGz } from "../../../core/archive/tar/extract.ts";
import { BLOCK, encodeHeader, type TarHeader } from "../../../core/archive/tar/header.ts";
import { tempDir } from "../../helpers/tmp.ts";

const H = "cccdc51a07e8c575c880f2d70dd4d458";
const root = tempDir();
let counter = 0;

function fresh(): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A software folder with what real releases hold: long paths, links of every kind, modes, non-ASCII names. */
function sampleRelease(parent: string): string {
  const src = join(parent, H);
  const deep = join(src, "d".repeat(90), "e".repeat(90), "f".repeat(90));
  mkdirSync(join(src, "bin"), { recursive: true });
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "long-name-".repeat(12)), "deep");
  writeFileSync(join(src, "bin", "run"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  writeFileSync(join(src, "blob"), Buffer.alloc(1_000_003, 7));
  writeFileSync(join(src, "café"), "unicode");
  symlinkSync("bin/run", join(src, "relative-link"));
  linkSync(join(src, "blob"), join(src, "blob-hardlink"));
  return src;
}

function sameTree(a: string, b: string): string {
  return Bun.spawnSync(["diff", "-r", "--no-dereference", a, b]).stdout.toString();
}

interface Member extends Partial<TarHeader> {
  name: string;
  data?: string;
}

/** Hand-made tarballs, for what no honest archiver writes. */
function craft(dir: string, members: Member[]): string {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    const data = new TextEncoder().encode(m.data ?? "");
    const header: TarHeader = {
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 1_700_000_000,
      type: "file",
      flag: "",
      linkname: "",
      uname: "",
      gname: "",
      ...m,
      size: m.type && m.type !== "file" ? 0 : data.length,
    };
    parts.push(...encodeHeader(header));
    if (header.size) {
      const padded = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
      padded.set(data);
      parts.push(padded);
    }
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const path = join(dir, `crafted-${counter++}.tar.gz`);
  writeFileSync(path, Bun.gzipSync(Buffer.concat(parts)));
  return path;
}

const top: Member = { name: `${H}/`, type: "directory", mode: 0o755 };

async function refused(members: Member[], message: string | RegExp): Promise<string> {
  const dir = fresh();
  const tarball = craft(dir, members);
  mkdirSync(join(dir, "root"));
  await expect(extractTarGz(tarball, join(dir, "root"), { topDir: H })).rejects.toThrow(message);
  // Nothing half-unpacked, no staging folder left behind.
  expect(readdirSync(join(dir, "root"))).toEqual([]);
  return dir;
}

describe("archives we write", () => {
  test("GNU tar lists them with names, links and modes intact", async () => {
    const dir = fresh();
    const src = sampleRelease(join(dir, "src"));
    await createTarGz(src, join(dir, "a.tar.gz"), H);
    const listing = Bun.spawnSync(["tar", "-tvzf", join(dir, "a.tar.gz")]).stdout.toString();
    expect(listing).toContain(`${H}/relative-link -> bin/run`);
    expect(listing).toMatch(/-rwxr-xr-x .* \S+\/bin\/run\n/);
    expect(listing).toContain(`${H}/blob-hardlink link to ${H}/blob`);
    expect(listing).toContain("long-name-long-name-long-name-long-name-long-name-long-name-long-name-long-name-long-name-long-name-long-name-long-name-");
    expect(listing).toContain(`${H}/café`);
    mkdirSync(join(dir, "gnu"));
    expect(Bun.spawnSync(["tar", "-xzf", join(dir, "a.tar.gz"), "-C", join(dir, "gnu")]).exitCode).toBe(0);
    expect(sameTree(src, join(dir, "gnu", H))).toBe("");
  });

  test("we unpack our own archives to an identical tree, hard links kept", async () => {
    const dir = fresh();
    const src = sampleRelease(join(dir, "src"));
    await createTarGz(src, join(dir, "a.tar.gz"), H);
    mkdirSync(join(dir, "root"));
    await extractTarGz(join(dir, "a.tar.gz"), join(dir, "root"), { topDir: H });
    expect(sameTree(src, join(dir, "root", H))).toBe("");
    expect(statSync(join(dir, "root", H, "blob")).ino).toBe(statSync(join(dir, "root", H, "blob-hardlink")).ino);
    expect(statSync(join(dir, "root", H, "bin", "run")).mode & 0o777).toBe(0o755);
  });
});

describe("archives GNU tar writes", () => {
  for (const format of ["gnu", "pax"]) {
    test(`${format} format (long names, links) unpacks to an identical tree`, async () => {
      const dir = fresh();
      const src = sampleRelease(join(dir, "src"));
      const tarball = join(dir, `${format}.tar.gz`);
      expect(Bun.spawnSync(["tar", `--format=${format}`, "-czf", tarball, "-C", join(dir, "src"), H]).exitCode).toBe(0);
      mkdirSync(join(dir, "root"));
      await extractTarGz(tarball, join(dir, "root"), { topDir: H });
      expect(sameTree(src, join(dir, "root", H))).toBe("");
    });
  }
});

describe("as a user without privileges (a `configure local` node)", () => {
  const EXTRACT = join(import.meta.dir, "../../../core/archive/tar/extract.ts");

  /** Run extractTarGz in a child process as nobody (65534) when we are root, else as ourselves. */
  function extractAsUser(dir: string, tarball: string): { code: number; stderr: string } {
    const script = join(dir, "extract.ts");
    writeFileSync(script, `import { extractTarGz } from ${JSON.stringify(EXTRACT)};\nawait extractTarGz(${JSON.stringify(tarball)}, ${JSON.stringify(join(dir, "root"))}, { topDir: ${JSON.stringify(H)} });\n`);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(root, 0o711); // mkdtemp made it 0700: let nobody through to its own case folder
      Bun.spawnSync(["chown", "-R", "65534:65534", dir]);
    }
    const argv = asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", `HOME=${dir}`, "bun", script] : ["bun", script];
    const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    return { code: r.exitCode, stderr: r.stderr.toString() };
  }

  test("read-only folders are unpacked whole, their modes set last", () => {
    const dir = fresh();
    mkdirSync(join(dir, "root"));
    const tarball = craft(dir, [
      { ...top, mode: 0o555 },
      { name: `${H}/ro/`, type: "directory", mode: 0o555 },
      { name: `${H}/ro/file`, data: "inside a read-only folder", mode: 0o444 },
    ]);
    const r = extractAsUser(dir, tarball);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "root", H, "ro", "file"), "utf8")).toBe("inside a read-only folder");
    expect(statSync(join(dir, "root", H, "ro")).mode & 0o777).toBe(0o555);
    expect(statSync(join(dir, "root", H)).mode & 0o777).toBe(0o555);
  });

  test("a refused archive leaves nothing behind, read-only folders included", () => {
    const dir = fresh();
    mkdirSync(join(dir, "root"));
    const tarball = craft(dir, [
      top,
      { name: `${H}/ro/`, type: "directory", mode: 0o555 },
      { name: `${H}/ro/file`, data: "x", mode: 0o444 },
      { name: `${H}/out`, type: "symlink", linkname: "/etc" },
    ]);
    const r = extractAsUser(dir, tarball);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("points outside");
    expect(readdirSync(join(dir, "root"))).toEqual([]);
  });
});

describe("extraction refuses what escapes the destination", () => {
  test("a member with a .. component", async () => {
    await refused([top, { name: `${H}/../evil`, data: "x" }], `has a ".." component`);
  });

  test("an absolute member name", async () => {
    await refused([top, { name: "/tmp/evil", data: "x" }], "is an absolute path");
  });

  test("a member outside the top directory", async () => {
    await refused([top, { name: "other/file", data: "x" }], `is outside ${H}/`);
  });

  test("an absolute symlink pointing out", async () => {
    await refused([top, { name: `${H}/etc`, type: "symlink", linkname: "/etc" }], "points outside");
  });

  test("a relative symlink climbing out", async () => {
    await refused([top, { name: `${H}/up`, type: "symlink", linkname: "../../.." }], "points outside");
  });

  test("symlinks that escape only when followed through each other", async () => {
    // s -> . (fine), u -> s/.. (lexically H, really SW_ROOT), v -> u/.. (lexically H, really outside)
    await refused(
      [
        top,
        { name: `${H}/s`, type: "symlink", linkname: "." },
        { name: `${H}/u`, type: "symlink", linkname: "s/.." },
        { name: `${H}/v`, type: "symlink", linkname: "u/.." },
      ],
      "points outside",
    );
  });

  test("a member written through a symlink of the archive", async () => {
    const dir = await refused(
      [top, { name: `${H}/link`, type: "symlink", linkname: "." }, { name: `${H}/link/file`, data: "x" }],
      "goes through a symbolic link",
    );
    expect(existsSync(join(dir, "root", H))).toBe(false);
  });

  test("a hard link to a file outside the archive", async () => {
    await refused([top, { name: `${H}/passwd`, type: "hardlink", linkname: "/etc/passwd" }], "is an absolute path");
    await refused([top, { name: `${H}/passwd`, type: "hardlink", linkname: `${H}/not-yet` }], "not an earlier file");
  });

  test("device files", async () => {
    await refused([top, { name: `${H}/null`, type: "char" }], "unsupported type");
  });

  test("an existing software folder is never overwritten", async () => {
    const dir = fresh();
    const tarball = craft(dir, [top, { name: `${H}/file`, data: "new" }]);
    mkdirSync(join(dir, "root", H), { recursive: true });
    writeFileSync(join(dir, "root", H, "file"), "old");
    await expect(extractTarGz(tarball, join(dir, "root"), { topDir: H })).rejects.toThrow("already exists");
    expect(readFileSync(join(dir, "root", H, "file"), "utf8")).toBe("old");
  });

  test("symlinks inside the release, absolute to its final place or relative, are kept", async () => {
    const dir = fresh();
    const destination = join(dir, "root");
    mkdirSync(destination);
    const tarball = craft(dir, [
      top,
      { name: `${H}/bin/`, type: "directory", mode: 0o755 },
      { name: `${H}/bin/tool`, data: "tool", mode: 0o755 },
      { name: `${H}/abs`, type: "symlink", linkname: join(destination, H, "bin", "tool") },
      { name: `${H}/rel`, type: "symlink", linkname: "bin/../bin/tool" },
      { name: `${H}/dangling`, type: "symlink", linkname: "not/there" },
    ]);
    await extractTarGz(tarball, destination, { topDir: H });
    expect(readlinkSync(join(destination, H, "abs"))).toBe(join(destination, H, "bin", "tool"));
    expect(readFileSync(join(destination, H, "rel"), "utf8")).toBe("tool");
    expect(lstatSync(join(destination, H, "dangling")).isSymbolicLink()).toBe(true);
  });
});
