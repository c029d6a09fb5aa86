import { describe, expect, test } from "bun:test";
import { callAndRead } from "../../../plugins/format/exec.ts";

describe("callAndRead (§1.14)", () => {
  test("check 22 [TestCallAndRead.test_callAndRead]: echo hello gives (0, 'hello\\n')", () => {
    expect(callAndRead(["echo", "hello"])).toEqual({ code: 0, output: "hello\n" });
  });

  test("stderr is merged into the output, in order", () => {
    expect(callAndRead(["sh", "-c", "echo one; echo two >&2; echo three"]).output).toBe("one\ntwo\nthree\n");
  });

  test("a non-zero exit raises unless asked not to", () => {
    expect(() => callAndRead(["sh", "-c", "echo bad; exit 3"])).toThrow("Issue while invoking");
    expect(callAndRead(["sh", "-c", "echo bad; exit 3"], false)).toEqual({ code: 3, output: "bad\n" });
  });

  test("a missing command is 'not found'", () => {
    expect(() => callAndRead(["no-such-command-here"])).toThrow("not found: no-such-command-here");
  });
});
