/** Who owns what: passwd lookups for privilege drops and HOME of children. */
import { readFileSync } from "node:fs";

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The passwd entry of a uid (through getent, so NSS sources count too). */
export function passwdByUid(uid: number): PasswdEntry | undefined {
  const result = Bun.spawnSync(["getent", "passwd", String(uid)], { stdout: "pipe", stderr: "ignore" });
  let line = result.exitCode === 0 ? result.stdout.toString().trim() : "";
  if (!line) {
    try {
      line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.split(":")[2] === String(uid)) ?? "";
    } catch {
      line = "";
    }
  }
  if (!line) return undefined;
  const [name, , u, g, , home] = line.split(":");
  return { name, uid: Number(u), gid: Number(g), home };
}
