/** The XML-RPC codec: byte-for-byte what Python's xmlrpclib writes, and strict reading. */
import { describe, expect, test } from "bun:test";
import { decodeCall, decodeResponse, encodeCall, encodeFault, encodeResponse, RpcFault } from "../../../plugins/supervisor/rpc/codec.ts";
import { XmlError } from "../../../plugins/supervisor/rpc/xml.ts";

/** Python's xmlrpc.client.dumps of a literal, run offline. */
async function python(expression: string): Promise<string> {
  const child = Bun.spawn(
    ["unshare", "-n", "python3", "-c", `import sys, xmlrpc.client as x; sys.stdout.write(${expression})`],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(err);
  return out;
}

describe("XML-RPC codec", () => {
  test("a response is written as xmlrpclib writes it", async () => {
    const value = { statecode: 1, statename: "RUNNING", list: [1, "a<b&c", true, 2.5], nested: { x: [] } };
    const expected = await python(
      "x.dumps(({'statecode': 1, 'statename': 'RUNNING', 'list': [1, 'a<b&c', True, 2.5], 'nested': {'x': []}},), methodresponse=True)",
    );
    expect(encodeResponse(value)).toBe(expected);
  });

  test("a fault is written as xmlrpclib writes it", async () => {
    const expected = await python("x.dumps(x.Fault(10, 'BAD_NAME: foo'))");
    expect(encodeFault(10, "BAD_NAME: foo")).toBe(expected);
  });

  test("a call is written as xmlrpclib writes it", async () => {
    const expected = await python("x.dumps(('slappart0', False), 'supervisor.startProcessGroup')");
    expect(encodeCall("supervisor.startProcessGroup", ["slappart0", false])).toBe(expected);
  });

  test("a call round-trips, untyped values are strings", () => {
    const call = decodeCall(
      "<?xml version='1.0'?><methodCall><methodName>a.b</methodName><params><param><value>plain</value></param>" +
        "<param><value><i4>-3</i4></value></param><param><value><struct><member><name>k</name><value><boolean>1</boolean></value></member></struct></value></param></params></methodCall>",
    );
    expect(call).toEqual({ method: "a.b", params: ["plain", -3, { k: true }] });
  });

  test("entities and character references are decoded", () => {
    expect(decodeCall("<methodCall><methodName>m</methodName><params><param><value><string>&lt;&amp;&#65;&#x42;</string></value></param></params></methodCall>").params).toEqual(["<&AB"]);
  });

  test("a fault response becomes an RpcFault", () => {
    expect(() => decodeResponse(encodeFault(70, "NOT_RUNNING: x"))).toThrow(RpcFault);
  });

  test("garbage, mismatched tags and DTDs are refused", () => {
    expect(() => decodeCall("hello")).toThrow(XmlError);
    expect(() => decodeCall("<methodCall><methodName>x</methodCall>")).toThrow(XmlError);
    expect(() => decodeCall('<!DOCTYPE x [<!ENTITY a "b">]><methodCall><methodName>&a;</methodName></methodCall>')).toThrow(XmlError);
    expect(() => decodeCall("<methodCall><params></params></methodCall>")).toThrow(XmlError);
  });

  test("characters XML cannot carry are replaced, so the client can always parse the answer", () => {
    const text = encodeResponse("a\u0000b\u001bc");
    expect(decodeResponse(text)).toBe("a\ufffdb\ufffdc");
  });
});
